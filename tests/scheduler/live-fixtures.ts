// Shared pieces of the live scheduler tests: SDK agents on a real gateway, a TCP relay whose sockets a test can cut
// (an agent losing its link without a DISCONNECT, so the broker publishes its last will), and task waits.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { TaskRecord } from '../../runtime/scheduler/task-record.js';
import { AgentClient, type AgentClientOptions, TaskClient } from '../../sdk/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';

export async function sdkAgent(
  t: Test,
  url: string,
  agentId: string,
  extra: Partial<AgentClientOptions> = {},
): Promise<AgentClient> {
  const stateDir = await mkdtemp(join(tmpdir(), `agentos-live-${agentId}-`));
  const c = new AgentClient({
    url,
    agentId,
    stateDir,
    kind: 'software',
    capabilities: ['work.run'],
    capacity: { cpu: 4, memoryMb: 4096, bandwidthKbps: 10000 },
    reconnect: { initialMs: 100, maxMs: 500 },
    ...extra,
  });
  t.teardown(async () => {
    await c.stop();
    await rm(stateDir, { recursive: true, force: true });
  });
  await c.start();
  await c.waitConnected(15000);
  return c;
}

export async function taskClient(t: Test, gw: TestGateway): Promise<TaskClient> {
  const c = await TaskClient.connect({ url: gw.url, timeoutMs: 15000 });
  t.teardown(() => c.close());
  return c;
}

export function waitOnline(gw: TestGateway, agentId: string): Promise<unknown> {
  const registry = gw.gateway.context.registry;
  return waitFor(() => registry.get(agentId)?.status === 'online', 15000, `${agentId} online`);
}

/** polls the task until `predicate` holds; the timeout names the task and its last state */
export async function waitTask(
  tasks: TaskClient,
  taskId: string,
  predicate: (t: TaskRecord) => boolean,
  what: string,
  timeoutMs = 20000,
): Promise<TaskRecord> {
  let last: TaskRecord | undefined;
  try {
    return await waitFor(
      async () => {
        last = await tasks.get(taskId);
        return predicate(last) ? last : undefined;
      },
      timeoutMs,
      `task ${taskId}: ${what}`,
      50,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

export interface Relay {
  url: string;
  /** destroys every open connection (no DISCONNECT reaches the broker) */
  cut(): number;
  close(): Promise<void>;
}

/** a TCP relay to the gateway's broker; cut() kills the client sockets through it */
export async function relay(t: Test, brokerUrl: string): Promise<Relay> {
  const target = new URL(brokerUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.teardown(close);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    close,
  };
}

/** a promise with its resolve, for handlers that wait for the test */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// The durable outbox across crashes, with real processes: a sender process queues mailbox messages for an offline
// agent; the gateway is killed with -9 mid-stream and the same sender reconnects with backoff; then the sender is
// killed with -9 mid-stream and a new sender process resends what its outbox still holds. The recipient then
// receives every message exactly once: nothing lost (outbox until acknowledged, mailbox stored before the
// acknowledgement) and nothing doubled (the gateway accepts each message id once).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { AgentClient } from '../../sdk/index.js';
import { freePort } from '../helpers/free-port.js';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import { repoRoot } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

interface Sender {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startSender(t: Test, env: Record<string, string>): Sender {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/sdk/fixtures/outbox-sender.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, lines, exited };
}

const pending = (s: Sender): number => {
  const last = [...s.lines].reverse().find((l) => l.startsWith('pending '));
  return last ? Number(last.slice(8)) : Number.NaN;
};

t.test('every message counted exactly once across gateway and sender kill -9', { timeout: 120000 }, async (t) => {
  const dataDir = await tempDir(t, 'agentos-crash-gw-');
  const stateDir = await tempDir(t, 'agentos-crash-sender-');
  const port = await freePort();
  const gwArgs = { dataDir, args: ['--port', String(port), '--no-ws'] };
  let gw: GatewayProcess = await spawnGateway(t, gwArgs);
  const url = gw.url;

  // the recipient registers once, then goes away: everything below waits in its mailbox
  const sinkDir = await mkdtemp(join(tmpdir(), 'agentos-sink-'));
  t.teardown(() => rm(sinkDir, { recursive: true, force: true }));
  const sinkSdk = new AgentClient({ url, agentId: 'sink', stateDir: sinkDir });
  await sinkSdk.start();
  await sinkSdk.waitConnected(20000);
  await sinkSdk.stop();
  // the recipient's registration must be on disk before the gateway is killed below: mail to an agent the restarted
  // gateway does not know is refused (not_found), not queued
  await waitFor(
    () =>
      existsSync(join(dataDir, 'state.json')) && readFileSync(join(dataDir, 'state.json'), 'utf8').includes('"sink"'),
    20000,
    'the recipient registration written to the state file',
  );

  const total = 300;
  const env = { URL: url, STATE_DIR: stateDir, INFLIGHT_MAX: '2' };
  let sender = startSender(t, { ...env, COUNT: String(total), FIRST: '0' });
  await waitFor(() => sender.lines.some((l) => l.startsWith('queued')), 30000, 'all queued on disk');
  await waitFor(() => pending(sender) < total - 20, 30000, 'some acknowledged');

  // 1. the gateway dies mid-stream; the same sender process reconnects with backoff and resends
  await gw.stop('SIGKILL');
  const atGatewayKill = pending(sender);
  t.ok(atGatewayKill > 0, `gateway killed with ${atGatewayKill} messages unacknowledged`);
  gw = await spawnGateway(t, gwArgs);
  await waitFor(() => pending(sender) < atGatewayKill - 20, 30000, 'flowing again after the gateway restart');

  // 2. the sender dies mid-stream; a new process finds the pending messages on disk and resends them
  sender.child.kill('SIGKILL');
  await sender.exited;
  const atSenderKill = pending(sender);
  t.ok(atSenderKill > 0, `sender killed with ${atSenderKill} messages unacknowledged`);
  const second = startSender(t, { ...env, COUNT: '0' });
  await waitFor(() => second.lines[0], 30000, 'sender restart');
  t.match(second.lines[0], /^queued [1-9]\d*$/, 'pending messages reloaded from disk');
  t.equal(await second.exited, 0, 'resent and flushed after restart');
  sender = second;

  // 3. the recipient comes back and counts
  const seen = new Map<number, number>();
  const sink = await mqtt.connectAsync(url, { clientId: 'sink', clean: true });
  t.teardown(() => sink.endAsync(true));
  sink.on('message', (_topic, payload) => {
    const m = JSON.parse(payload.toString()) as { messageId: string; body: { seq: number } };
    seen.set(m.body.seq, (seen.get(m.body.seq) ?? 0) + 1);
    sink.publish('agentos/v1/agents/sink/mailbox/ack', JSON.stringify({ messageIds: [m.messageId] }), { qos: 1 });
  });
  await sink.subscribeAsync('agentos/v1/agents/sink/mailbox', { qos: 1 });
  await sink.publishAsync('agentos/v1/agents/sink/hello', JSON.stringify({ kind: 'device' }), { qos: 1 });
  await waitFor(() => seen.size >= total, 60000, `all ${total} messages at the sink`).catch((e) => {
    const journal = readFileSync(join(dataDir, 'mailbox', 'sink.jsonl'), 'utf8');
    console.error(
      'seen',
      seen.size,
      'journal lines',
      journal.split('\n').length,
      'missing',
      Array.from({ length: total }, (_, i) => i)
        .filter((i) => !seen.has(i))
        .slice(0, 20),
    );
    throw e;
  });
  await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up now
  const doubled = [...seen].filter(([, n]) => n !== 1);
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i));
  t.same(missing, [], 'none lost');
  t.same(doubled, [], 'none doubled');
  t.equal(seen.size, total, `exactly ${total} distinct messages`);
  await gw.stop('SIGTERM');
});

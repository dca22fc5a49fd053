// The agent table survives a restart: in-process (same data dir) and as a process stopped by SIGTERM, which must
// flush pending writes even when the batch window is long.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { startGateway } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import type { Teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

async function register(url: string, t: Teardown, ids: string[]): Promise<void> {
  const device = await connectMqtt(t, url);
  for (const id of ids) {
    const hello = { kind: 'device', capabilities: ['light.set'], capacity: { cpu: 1 }, metadata: { n: id } };
    await device.publishAsync(topics.agent(id, 'hello'), JSON.stringify(hello), { qos: 1 });
    await device.publishAsync(topics.agent(id, 'telemetry'), JSON.stringify({ values: { lux: 42 } }), { qos: 1 });
  }
  await device.endAsync();
}

async function listAgents(url: string): Promise<AgentRecord[]> {
  const api = await ApiClient.connect({ url, timeoutMs: 10000 });
  try {
    return (await api.call<{ agents: AgentRecord[] }>('agents.list')).agents;
  } finally {
    await api.close();
  }
}

t.test('in-process restart keeps the table', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startGateway(t, { dataDir });
  await register(first.url, t, ['a-1', 'a-2', 'a-3']);
  await waitFor(
    async () => (await listAgents(first.url)).filter((a) => a.telemetry['lux'] === 42).length === 3,
    10000,
    'three agents with telemetry',
  );
  const before = await listAgents(first.url);
  await first.stop();

  const second = await startGateway(t, { dataDir });
  const after = await listAgents(second.url);
  t.same(
    after.map((a) => ({
      id: a.id,
      capabilities: a.capabilities,
      capacity: a.capacity,
      metadata: a.metadata,
      telemetry: a.telemetry,
      status: a.status,
    })),
    before.map((a) => ({
      id: a.id,
      capabilities: a.capabilities,
      capacity: a.capacity,
      metadata: a.metadata,
      telemetry: a.telemetry,
      status: a.status,
    })),
    'same agents, capabilities, capacity, metadata, telemetry and status',
  );
});

t.test('SIGTERM stops a gateway process cleanly and flushes the batched store', async (t) => {
  const dataDir = await tempDir(t);
  const config = join(dataDir, 'gw.json');
  const { writeFile } = await import('node:fs/promises');
  // a batch window far longer than the test: only the flush on stop can write the agents
  await writeFile(config, JSON.stringify({ store: { flushIntervalMs: 60000 }, gateway: { id: 'gw-proc' } }));
  const gw = await spawnGateway(t, { args: ['--config', config], dataDir });
  await register(gw.url, t, ['p-1', 'p-2']);
  await waitFor(async () => (await listAgents(gw.url)).length === 2, 10000, 'two agents registered');
  const code = await gw.stop('SIGTERM');
  t.equal(code, 0, 'exit code 0');
  t.ok(
    gw.logs.some((l) => l['msg'] === 'gateway stopped'),
    'logged "gateway stopped"',
  );
  const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
  t.same(Object.keys(state.namespaces.agents).sort(), ['p-1', 'p-2'], 'both agents on disk');

  const again = await spawnGateway(t, { args: ['--config', config], dataDir });
  t.same((await listAgents(again.url)).map((a) => a.id).sort(), ['p-1', 'p-2'], 'a new process reads them back');
  t.equal(await again.stop('SIGINT'), 0, 'SIGINT stops cleanly too');
});

// The README's "Connect a device" mosquitto_pub lines, run exactly as written (only the port changed to the test
// gateway's), register an agent and deliver its telemetry.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { shell } from '../helpers/mosquitto-clients.js';
import { repoRoot } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('the README lines register an agent and send telemetry', async (t) => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('## Connect a device')[1]?.split('\n## ')[0] ?? '';
  const lines = section.split('\n').filter((l) => l.startsWith('mosquitto_pub '));
  t.equal(lines.length, 2, 'two mosquitto_pub lines (register, telemetry)');
  t.ok(
    lines.every((l) => l.includes(' -p 1883 ')),
    'they use the default port',
  );
  const gw = await spawnGateway(t);
  const port = new URL(gw.url).port;
  for (const line of lines) await shell(line.replace(' -p 1883 ', ` -p ${port} `));

  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  const agent = await waitFor(
    async () => {
      const a = (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'lamp-1' })).agent;
      return a.telemetry['brightness'] !== undefined ? a : null;
    },
    15000,
    'lamp-1 with telemetry',
  );
  t.match(agent, {
    kind: 'device',
    status: 'online',
    capabilities: ['light.set'],
    capacity: { cpu: 0.1, memoryMb: 32 },
    use: { cpu: 0.02 },
    telemetry: { brightness: 80, powerW: 7.5 },
  });
});

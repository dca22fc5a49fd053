// A misbehaving JavaScript software agent run by the gateway's own supervisor on a secure gateway: it connects with
// the token the supervisor gave it, and its attempts to read another agent's files, plant files there, spawn a
// process or connect as another agent fail, are reported through its telemetry, and show in its log. The gateway
// runs in its own process, started the way `agentos start` runs in production.

import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { startSecureSite } from '../helpers/secure-gateway-process.js';

const mqttUrl = pathToFileURL(createRequire(import.meta.url).resolve('mqtt')).href;

function agentSource(victimFile: string, victimDir: string): string {
  return `
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const mqtt = (await import(${JSON.stringify(mqttUrl)})).default;
const env = process.env;
const denied = (fn) => { try { fn(); return 0; } catch (e) { console.error('attempt failed:', e.code); return e.code === 'ERR_ACCESS_DENIED' ? 1 : 0; } };
const values = {
  readOtherDenied: denied(() => readFileSync(${JSON.stringify(victimFile)})),
  plantDenied: denied(() => writeFileSync(${JSON.stringify(join(victimDir, 'planted'))}, 'x')),
  spawnDenied: denied(() => { const r = spawnSync('/bin/sh', ['-c', 'id']); if (r.error) throw r.error; }),
  ownWriteOk: 1 - denied(() => writeFileSync(env.AGENTOS_STORAGE_DIR + '/note.txt', 'mine')),
};
const opts = { username: env.AGENTOS_USERNAME, password: env.AGENTOS_PASSWORD, reconnectPeriod: 0 };
// impersonation with its own token: the broker must refuse
values.impersonationRefused = await new Promise((resolve) => {
  const c = mqtt.connect(env.AGENTOS_URL, { ...opts, clientId: 'vault', username: 'vault' });
  c.on('connect', () => { c.end(true); resolve(0); });
  c.on('error', () => { c.end(true); resolve(1); });
});
const c = mqtt.connect(env.AGENTOS_URL, { ...opts, clientId: env.AGENTOS_AGENT_ID });
c.on('error', (e) => console.error('mqtt error', e.message));
c.on('connect', async () => {
  const base = 'agentos/v1/agents/' + env.AGENTOS_AGENT_ID;
  await c.publishAsync(base + '/hello', JSON.stringify({ kind: 'software', capabilities: [] }), { qos: 1 });
  await c.publishAsync(base + '/telemetry', JSON.stringify({ values }), { qos: 1 });
});
`;
}

t.test('a supervised agent on a secure gateway is confined', async (t) => {
  const { dir, dataDir, api } = await startSecureSite(t, 'agentos-supsec-');

  // the victim's files, where the kernel keeps another agent's storage
  const victimDir = join(dataDir, 'storage', 'vault', 'files');
  await mkdir(victimDir, { recursive: true });
  const victimFile = join(victimDir, 'secret.txt');
  await writeFile(victimFile, 'do not read');
  const agentDir = join(dir, 'snoop');
  await mkdir(agentDir);
  await writeFile(join(agentDir, 'agent.json'), JSON.stringify({ name: 'snoop', entry: 'main.mjs' }));
  await writeFile(join(agentDir, 'main.mjs'), agentSource(victimFile, victimDir));

  await api.call('agents.run', { dir: agentDir });
  let agent: AgentRecord | null = null;
  for (let i = 0; i < 300 && !agent; i++) {
    const a = (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'snoop' }).catch(() => null))?.agent;
    if (a && a.telemetry['readOtherDenied'] !== undefined) agent = a;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!agent) {
    const { lines } = await api.call<{ lines: string[] }>('agents.logs', { name: 'snoop', lines: 30 });
    t.comment(lines.join('\n'));
  }
  t.ok(agent, 'the agent connected with its supervisor-given token and reported');
  t.match(
    agent?.telemetry,
    { readOtherDenied: 1, plantDenied: 1, spawnDenied: 1, ownWriteOk: 1, impersonationRefused: 1 },
    'reading or planting in another agent’s storage, spawning and impersonation all failed; own storage works',
  );
  const { lines } = await api.call<{ lines: string[] }>('agents.logs', { name: 'snoop', lines: 50 });
  t.ok(
    lines.some((l) => l.includes('ERR_ACCESS_DENIED')),
    'the denied attempts are in the agent’s log',
  );
});

// Network least privilege for supervised agents, with real processes: a sandboxed agent that declares no network
// (gateway-only, the default) runs in its own network namespace and reaches the gateway only through the broker's
// Unix socket: it registers and gets a mailbox message, while its TCP connections to a port of this test and to the
// gateway's own TCP port fail and are in its log. An agent declaring `network: host` still uses TCP.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { probeNetworkIsolation } from '../../runtime/security/sandbox.js';
import { startSecureSite } from '../helpers/secure-gateway-process.js';

const mqttUrl = pathToFileURL(createRequire(import.meta.url).resolve('mqtt')).href;

/** Tries TCP to the test's port and the gateway's port, then registers over AGENTOS_URL and reports by telemetry. */
function agentSource(testPort: number, gatewayPort: number): string {
  return `
import net from 'node:net';
const mqtt = (await import(${JSON.stringify(mqttUrl)})).default;
const env = process.env;
const tryTcp = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve('connected'); });
  s.once('error', (e) => { console.error('tcp attempt to 127.0.0.1:' + port + ' failed:', e.code); resolve(e.code); });
});
const values = {
  url: env.AGENTOS_URL,
  tcpTest: await tryTcp(${testPort}),
  tcpGateway: await tryTcp(${gatewayPort}),
};
const id = env.AGENTOS_AGENT_ID;
const base = 'agentos/v1/agents/' + id;
const c = mqtt.connect(env.AGENTOS_URL, { username: env.AGENTOS_USERNAME, password: env.AGENTOS_PASSWORD, clientId: id, reconnectPeriod: 1000 });
c.on('error', (e) => console.error('mqtt error', e.message));
c.on('message', (topic, payload) => {
  const m = JSON.parse(String(payload));
  c.publish(base + '/telemetry', JSON.stringify({ values: { mail: m.subject ?? 'none' } }), { qos: 1 });
});
c.on('connect', async () => {
  await c.subscribeAsync(base + '/mailbox', { qos: 1 });
  await c.publishAsync(base + '/hello', JSON.stringify({ kind: 'software', capabilities: [] }), { qos: 1 });
  await c.publishAsync(base + '/telemetry', JSON.stringify({ values }), { qos: 1 });
});
`;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, triesMax = 300): Promise<T> {
  for (let i = 0; i < triesMax; i++) {
    const v = await fn().catch(() => null);
    if (v !== null && v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('a gateway-only agent has no network but the gateway; a host agent keeps TCP', async (t) => {
  const iso = await probeNetworkIsolation();
  if (!iso.available) {
    t.fail(`network namespaces unavailable (${iso.reason}): run as root or enable unprivileged user namespaces`);
    return;
  }
  // a TCP peer of the test: the jailed agent must never reach it, the host agent must
  const peers = new Set<Socket>();
  let accepted = 0;
  const peer = createServer((s) => {
    accepted++;
    peers.add(s);
    s.once('close', () => peers.delete(s));
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  const testPort = (peer.address() as { port: number }).port;
  const { dir, dataDir, gw, api } = await startSecureSite(t, 'agentos-net-', {
    release: async () => {
      for (const s of peers) s.destroy();
      await new Promise((r) => peer.close(r));
    },
  });
  const gatewayPort = Number(new URL(gw.url).port);

  for (const [name, network] of [
    ['jailed', undefined],
    ['open', 'host'],
  ] as const) {
    const agentDir = join(dir, name);
    await mkdir(agentDir);
    const manifest = { name, entry: 'main.mjs', ...(network ? { network } : {}) };
    await writeFile(join(agentDir, 'agent.json'), JSON.stringify(manifest));
    await writeFile(join(agentDir, 'main.mjs'), agentSource(testPort, gatewayPort));
    await api.call('agents.run', { dir: agentDir });
  }
  const telemetry = (id: string) =>
    waitFor(`${id}'s telemetry`, async () => {
      const a = (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: id })).agent;
      return a.telemetry['tcpGateway'] !== undefined ? a.telemetry : null;
    });

  const jailed = await telemetry('jailed');
  t.match(jailed['url'], /^mqtt\+unix:\/\/\/.*\/run\/mqtt\.sock$/, 'the supervisor pointed it at the Unix socket');
  t.not(
    jailed['tcpTest'],
    'connected',
    `TCP to the test's 127.0.0.1:${testPort} failed (${String(jailed['tcpTest'])})`,
  );
  t.not(jailed['tcpGateway'], 'connected', `TCP to the gateway's port failed (${String(jailed['tcpGateway'])})`);
  await api.call('mailbox.send', { to: 'jailed', subject: 'over-the-socket', body: 1 });
  await waitFor('the mailbox message', async () => {
    const a = (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'jailed' })).agent;
    return a.telemetry['mail'] === 'over-the-socket' ? true : null;
  });
  t.pass('it registered and got a mailbox message through the socket');
  const { lines } = await api.call<{ lines: string[] }>('agents.logs', { name: 'jailed', lines: 50 });
  t.ok(
    lines.filter((l) => l.includes('tcp attempt to 127.0.0.1:')).length >= 2,
    'both refused TCP attempts are in its log',
  );

  const open = await telemetry('open');
  t.match(open['url'], /^mqtt:\/\/127\.0\.0\.1:\d+$/, 'a host agent connects over TCP');
  t.equal(open['tcpTest'], 'connected', 'and may open TCP connections');
  t.equal(accepted, 1, 'only the host agent reached the test’s port');

  const socketPath = join(dataDir, 'run', 'mqtt.sock');
  t.equal((await stat(socketPath)).mode & 0o777, 0o660, 'the socket is mode 0660');
  await api.close();
  await gw.stop();
  await t.rejects(stat(socketPath), { code: 'ENOENT' }, 'the gateway removed its socket on stop');
});

t.test(
  'without unshare a gateway-only agent is refused, not run unconfined; the manifest field is checked',
  async (t) => {
    // an empty PATH: the gateway (node by absolute path) runs, `unshare` cannot be found
    const { dir, api } = await startSecureSite(t, 'agentos-nonet-', {
      envSet: (siteDir) => [`PATH=${join(siteDir, 'empty-bin')}`],
    });
    const agentDir = join(dir, 'jailed');
    await mkdir(agentDir);
    await writeFile(join(agentDir, 'agent.json'), JSON.stringify({ name: 'jailed', entry: 'main.mjs' }));
    await writeFile(join(agentDir, 'main.mjs'), 'console.log("must not run")\n');
    await api.call('agents.run', { dir: agentDir });
    const info = await waitFor('the refusal', async () => {
      const r = await api.call<{ agents: Array<{ name: string; status: string; reason: string | null }> }>(
        'agents.ps',
        {},
      );
      const a = r.agents.find((x) => x.name === 'jailed');
      return a?.status === 'failed' ? a : null;
    });
    t.match(
      info.reason,
      /sandbox refused.*gateway-only.*network namespace.*"network": "host"/,
      `reason: ${info.reason}`,
    );
    const { lines } = await api.call<{ lines: string[] }>('agents.logs', { name: 'jailed', lines: 20 });
    t.notOk(
      lines.some((l) => l.includes('must not run')),
      'the agent never ran',
    );

    await writeFile(
      join(agentDir, 'agent.json'),
      JSON.stringify({ name: 'jailed', entry: 'main.mjs', network: 'lan' }),
    );
    await t.rejects(api.call('agents.run', { dir: agentDir }), /\/network must be one of gateway-only, host/);
  },
);

// The whole gateway with security on: anonymous refused, agents and operators with credentials, TLS and secure
// WebSocket listeners with client certificates made by `agentos certs`' code, the CLI revoking a live session of a
// gateway process, and the loud development-mode warning.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { createSiteCertificates, issueCertificate } from '../../runtime/security/certs.js';
import type { SecureAccess } from '../../runtime/security/secure-access.js';
import { runCli } from '../helpers/cli.js';
import { startGateway } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { closed, connackCode, connectClient } from './harness.js';

const R = 'agentos/v1';

t.test('a secure gateway: anonymous refused, credentials work end to end', async (t) => {
  const gw = await startGateway(t, { config: { security: { devMode: false } } });
  const access = gw.gateway.context.access as SecureAccess;
  t.equal(await connackCode(gw.url, { clientId: 'lamp-1' }), 5, 'anonymous refused by default');
  const lamp = await access.credentials.add({ id: 'lamp-1', kind: 'agent' });
  const viewer = await access.credentials.add({ id: 'victor', kind: 'operator', role: 'viewer' });
  const c = await connectClient(gw.url, { clientId: 'lamp-1', username: 'lamp-1', password: lamp.secret });
  t.teardown(() => c.end(true));
  await c.publishAsync(`${R}/agents/lamp-1/hello`, JSON.stringify({ kind: 'device', capabilities: ['light.set'] }), {
    qos: 1,
  });
  await c.publishAsync(`${R}/agents/lamp-1/telemetry`, JSON.stringify({ values: { brightness: 80 } }), { qos: 1 });
  const api = await ApiClient.connect({ url: gw.url, username: 'victor', password: viewer.secret, timeoutMs: 10_000 });
  t.teardown(() => api.close());
  const agent = await poll(async () => {
    const a = (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'lamp-1' })).agent;
    return a.telemetry['brightness'] !== undefined ? a : null;
  });
  t.match(
    agent,
    { kind: 'device', telemetry: { brightness: 80 } },
    'registered and reported through the secure broker',
  );
  const gone = closed(c);
  c.publish(`${R}/agents/lamp-2/telemetry`, '{"values":{}}');
  await gone;
  t.pass('publishing as another agent closes the session');
});

/** polls an async condition (the API answers over MQTT) */
async function poll<T>(fn: () => Promise<T | null>): Promise<T> {
  let v: T | null = null;
  for (let i = 0; i < 150 && v === null; i++) {
    v = await fn();
    if (v === null) await new Promise((r) => setTimeout(r, 100));
  }
  if (v === null) throw new Error('timed out after 15 s polling');
  return v;
}

t.test('TLS and secure WebSocket listeners, client certificates', async (t) => {
  const dir = await tempDir(t, 'agentos-tls-');
  const certs = join(dir, 'certs');
  await createSiteCertificates({
    dir: certs,
    siteName: 'test-site',
    serverName: 'server',
    altNames: ['localhost', '127.0.0.1'],
    clients: ['alice', 'ghost'],
  });
  const gw = await startGateway(t, {
    config: {
      security: { devMode: false, certsDir: certs, tls: { port: 0, wsPort: 0, clientCerts: 'request' } },
    },
  });
  const access = gw.gateway.context.access as SecureAccess;
  const { mqtts, wss } = access.guard.urls();
  t.ok(mqtts && wss, `listeners ${mqtts} ${wss}`);
  const ca = await readFile(join(certs, 'ca.crt'));
  const lamp = await access.credentials.add({ id: 'lamp-1', kind: 'agent' });
  await access.credentials.add({ id: 'alice', kind: 'operator', role: 'admin' });

  const overTls = await connectClient(mqtts!, { clientId: 'lamp-1', username: 'lamp-1', password: lamp.secret, ca });
  t.ok(overTls.connected, 'password over MQTT/TLS');
  overTls.end(true);
  const overWss = await connectClient(wss!, { clientId: 'lamp-1', username: 'lamp-1', password: lamp.secret, ca });
  t.ok(overWss.connected, 'password over secure WebSocket');
  overWss.end(true);

  const cert = await readFile(join(certs, 'alice.crt'));
  const key = await readFile(join(certs, 'alice.key'));
  const alice = await connectClient(mqtts!, { clientId: 'alice:x', ca, cert, key });
  t.equal(await alice.subscribeAsync('$SYS/#').then((g) => g[0]?.qos), 0, 'client certificate alone: admin rights');
  alice.end(true);
  const viaWss = await connectClient(wss!, { clientId: 'alice', ca, cert, key });
  t.ok(viaWss.connected, 'client certificate over secure WebSocket');
  viaWss.end(true);
  const ghost = { cert: await readFile(join(certs, 'ghost.crt')), key: await readFile(join(certs, 'ghost.key')) };
  t.equal(
    await connackCode(mqtts!, { clientId: 'ghost', ca, ...ghost }),
    5,
    'certificate of an unknown identity refused',
  );
  t.equal(await connackCode(mqtts!, { clientId: 'lamp-1', ca, cert, key }), 5, 'certificate CN must match client id');

  // a certificate from another CA is not trusted
  const rogue = join(dir, 'rogue');
  await createSiteCertificates({ dir: rogue, siteName: 'rogue', serverName: 'server', altNames: ['localhost'] });
  await issueCertificate(rogue, { name: 'alice', kind: 'client' });
  const rogueCert = { cert: await readFile(join(rogue, 'alice.crt')), key: await readFile(join(rogue, 'alice.key')) };
  t.equal(
    await connackCode(mqtts!, { clientId: 'alice', ca, ...rogueCert }),
    5,
    'rogue CA certificate gives no identity',
  );
  t.not(
    await connackCode(mqtts!, { clientId: 'x', username: 'lamp-1', password: lamp.secret }),
    0,
    'unknown server CA: client refuses',
  );

  await access.credentials.revoke('alice');
  t.equal(
    await connackCode(mqtts!, { clientId: 'alice', ca, cert, key }),
    5,
    'revoking the identity locks its certificate out',
  );
});

t.test('missing certificate files: one clear error naming the field', async (t) => {
  const dir = await tempDir(t, 'agentos-nocert-');
  await t.rejects(
    startGateway(t, { config: { security: { certsDir: join(dir, 'none'), tls: { port: 0 } } } }),
    /security\.tls\.certFile: cannot read .*server\.crt \(ENOENT\); create it with `agentos certs`/,
  );
});

t.test('CLI on a running gateway process: add, connect, revoke the live session', async (t) => {
  const gw = await spawnGateway(t, { secure: true });
  t.ok(
    gw.logs.some((l) => String(l['msg']).includes('security: broker access control on') && l['devMode'] === false),
    'secure start logged',
  );
  const add = await runCli(['agents', 'add', 'robot-1', '--data-dir', gw.dataDir, '--json']);
  t.equal(add.code, 0, `agents add exits 0 ${add.stderr}`);
  const { secret } = JSON.parse(add.stdout) as { secret: string };
  const c = await connectClient(gw.url, { clientId: 'robot-1', username: 'robot-1', password: secret });
  const gone = closed(c);
  const revoke = await runCli(['agents', 'revoke', 'robot-1', '--data-dir', gw.dataDir]);
  t.equal(revoke.code, 0, 'agents revoke exits 0');
  await gone;
  t.pass('the gateway process closed the live session');
  t.equal(
    await connackCode(gw.url, { clientId: 'robot-1', username: 'robot-1', password: secret }),
    4,
    'refused after',
  );
  const op = await runCli([
    'credentials',
    'add',
    'me',
    '--kind',
    'operator',
    '--role',
    'viewer',
    '--data-dir',
    gw.dataDir,
    '--json',
  ]);
  const opSecret = (JSON.parse(op.stdout) as { secret: string }).secret;
  const anon = await runCli(['agents', 'list', '--url', gw.url]);
  t.equal(anon.code, 1, 'the CLI without credentials is refused');
  t.match(
    anon.stderr,
    /^agentos agents: error: cannot connect to .*Not authorized|bad user|refused/i,
    'one clear line',
  );
  const listed = await runCli(['agents', 'list', '--url', gw.url, '--json'], {
    AGENTOS_USERNAME: 'me',
    AGENTOS_PASSWORD: opSecret,
  });
  t.equal(listed.code, 0, `the CLI logs in as an operator from the environment ${listed.stderr}`);
  t.same(JSON.parse(listed.stdout), [], 'and lists the (empty) agent table');
  const bad = await runCli(['agents', 'add', 'a+b', '--data-dir', gw.dataDir]);
  t.equal(bad.code, 1, 'bad id exits 1');
  t.match(bad.stderr, /^agentos agents: error: id: must match/, 'one clear line');
});

t.test('development mode is announced loudly', async (t) => {
  const gw = await spawnGateway(t);
  t.ok(
    gw.logs.some((l) => l['level'] === 40 && String(l['msg']).includes('access control is OFF')),
    'a warning at start says anonymous clients may do anything',
  );
  const c = await connectClient(gw.url, { clientId: 'anyone' });
  t.ok(c.connected, 'anonymous client accepted in development mode');
  c.end(true);
});

// The embedded broker's Unix socket listener, on a real gateway and a bare aedes: the SDK connects with an
// `mqtt+unix://` URL and registers; the socket is mode 0660 and removed on stop; a socket left by a dead gateway is
// replaced, while a live one, a non-socket file or a too-long path refuse the start with the config key named.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Aedes } from 'aedes';
import t from 'tap';
import { listenUnix, unixSocketUrl } from '../../runtime/bus/unix-listener.js';
import { AgentClient } from '../../sdk/index.js';
import { startGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('the SDK reaches a gateway over its Unix socket', async (t) => {
  const gw = await startGateway(t, { config: { broker: { unixSocket: 'run/mqtt.sock' } } });
  const path = (gw.gateway.context.bus as { unixSocketPath?: string | null }).unixSocketPath;
  t.equal(path, join(gw.dataDir, 'run', 'mqtt.sock'), 'the socket is under the data dir');
  t.equal((await stat(path!)).mode & 0o777, 0o660, 'mode 0660');
  const stateDir = await mkdtemp(join(tmpdir(), 'agentos-unix-sdk-'));
  const c = new AgentClient({ url: unixSocketUrl(path!), agentId: 'local-1', stateDir });
  t.teardown(async () => {
    await c.stop();
    await rm(stateDir, { recursive: true, force: true });
  });
  await c.start();
  await c.waitConnected(10_000);
  const registry = gw.gateway.context.registry;
  await waitFor(() => registry.get('local-1')?.status === 'online', 10_000, 'registered over the socket');
  c.state({ overSocket: true });
  await c.flush();
  t.same(
    gw.gateway.context.registry.get('local-1')?.state,
    { overSocket: true },
    'registered; durable state acknowledged',
  );
  await c.stop();
  await gw.gateway.stop();
  await t.rejects(stat(path!), { code: 'ENOENT' }, 'removed on stop');
});

t.test('stale, live, foreign and too-long socket paths', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agentos-unix-'));
  const aedes = await Aedes.createBroker();
  const sockets = new Set<import('node:net').Socket>();
  t.teardown(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'run', 'mqtt.sock');
  // a socket file nobody listens on any more: what a killed gateway leaves (a SIGKILLed process cannot unlink it)
  await mkdir(dirname(path), { recursive: true });
  const holder = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
  ]);
  await new Promise<void>((r) => holder.stdout.once('data', () => r()));
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  t.ok((await stat(path)).isSocket(), 'a stale socket file is left');
  const first = await listenUnix(path, aedes, undefined, sockets);
  t.pass('the stale socket was replaced');
  await t.rejects(listenUnix(path, aedes, undefined, sockets), /broker\.unixSocket: .* in use by another broker/);
  await first.close();
  await first.close(); // idempotent

  const plain = join(dir, 'plain');
  await writeFile(plain, 'x');
  await t.rejects(listenUnix(plain, aedes, undefined, sockets), /broker\.unixSocket: .* is not a socket/);
  await t.rejects(
    listenUnix(join(dir, 'x'.repeat(120)), aedes, undefined, sockets),
    /broker\.unixSocket: .* longer than 107 bytes/,
  );
});

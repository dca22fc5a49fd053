// The cluster with broker security on (no dev mode): each gateway's broker refuses anonymous clients, peers log in
// with a gateway identity (cluster.username/password, in every gateway's credential file) whose ACL allows only the
// cluster topics, and every message is sealed under the site key. A task submitted through a follower (forwarded
// to the leader) is committed and read back linearizably on every gateway by an operator.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { createSiteKey } from '../../runtime/security/site-key.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const IDS = ['s1', 's2', 's3'];

t.setTimeout(120_000);
t.test('secure brokers: peers log in as a gateway identity; a forwarded task commits everywhere', async (t) => {
  const root = await tempDir(t, 'agentos-gws-');
  const siteKeyFile = join(root, 'site.key');
  await createSiteKey(siteKeyFile);
  const first = join(root, IDS[0]!);
  const add = async (args: string[]) => {
    const r = await runCli(['credentials', 'add', ...args, '--data-dir', first, '--json']);
    t.equal(r.code, 0, `credentials add ${args[0]} ${r.stderr}`);
    return (JSON.parse(r.stdout) as { secret: string }).secret;
  };
  const clusterSecret = await add(['site-peer', '--kind', 'gateway']);
  const adminSecret = await add(['admin', '--kind', 'operator', '--role', 'admin']);
  const operator = { username: 'admin', password: adminSecret };
  // one credential file for the site: copied to every gateway
  for (const id of IDS.slice(1)) {
    await mkdir(join(root, id, 'security'), { recursive: true, mode: 0o700 });
    await copyFile(join(first, 'security', 'credentials.json'), join(root, id, 'security', 'credentials.json'));
  }
  const ports = await Promise.all(IDS.map(() => freePort()));
  const peers = IDS.map((id, i) => ({ id, url: `mqtt://127.0.0.1:${ports[i]}` }));
  const cluster = { enabled: true, clusterId: 'sec', profile: 'fast', peers, siteKeyFile };
  const procs = await Promise.all(
    IDS.map(async (id, i) => {
      const config = join(root, `${id}.json`);
      const doc = { gateway: { id }, cluster: { ...cluster, username: 'site-peer', password: clusterSecret } };
      await writeFile(config, JSON.stringify(doc));
      const dataDir = join(root, id);
      return spawnGateway(t, {
        secure: true,
        dataDir,
        args: ['--config', config, '--port', String(ports[i]), '--no-ws', '--data-dir', dataDir],
      });
    }),
  );
  const call = async <T>(url: string, method: string, params: Record<string, unknown> = {}) => {
    const api = await ApiClient.connect({ url, timeoutMs: 8000, ...operator });
    try {
      return await api.call<T>(method, params);
    } finally {
      await api.close();
    }
  };
  const leader = await waitFor(
    async () => {
      const all = await Promise.all(peers.map((p) => call<{ leader: string | null }>(p.url, 'cluster.status')));
      return all.every((s) => s.leader && s.leader === all[0]!.leader) && all[0]!.leader;
    },
    45_000,
    'one leader agreed by the three secure gateways',
    200,
  );
  const status = await call<{ authenticated: boolean }>(peers[0]!.url, 'cluster.status', { local: true });
  t.equal(status.authenticated, true, 'cluster messages are sealed under the site key');

  const follower = peers.find((p) => p.id !== leader)!;
  const env = { AGENTOS_USERNAME: 'admin', AGENTOS_PASSWORD: adminSecret };
  const submit = await runCli(['cluster', 'submit', 'sec-1', 'x', '--url', follower.url, '--json'], env);
  t.equal(submit.code, 0, `forwarded submit as an operator ${submit.stderr}`);
  t.match(JSON.parse(submit.stdout || '{}'), { ok: true }, 'the task is committed');
  for (const p of peers) {
    const s = await call<{ tasks: Record<string, unknown> }>(p.url, 'cluster.state');
    t.ok(s.tasks['sec-1'], `${p.id} holds the task (linearizable read)`);
  }
  const anonymous = await runCli(['cluster', 'status', '--url', follower.url]);
  t.not(anonymous.code, 0, 'an anonymous client is refused by a secure gateway');
  await Promise.all(procs.map((p) => p.stop('SIGTERM')));
});

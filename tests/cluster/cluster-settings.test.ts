// The cluster section resolved for the component: profiles and explicit timings, founding voters, inbox URLs per
// transport mode, and the site key rule (no key: refused unless security dev mode).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { clusterTiming, resolveClusterSettings } from '../../runtime/cluster/cluster-settings.js';
import { validateConfig } from '../../runtime/config/load.js';
import { createSiteKey } from '../../runtime/security/site-key.js';
import { tempDir } from '../helpers/temp-dir.js';

const peers = [
  { id: 'g1', url: 'mqtt://10.0.0.1:1883' },
  { id: 'g2', url: 'mqtt://10.0.0.2:1883' },
  { id: 'g3', url: 'mqtt://10.0.0.3:1883' },
];

t.test('profiles and explicit timings', async (t) => {
  const c = (cluster: object) => validateConfig({ cluster }).cluster;
  t.same(clusterTiming(c({})), { tickMs: 100, heartbeatTicks: 1, electionTicks: 10 }, 'default: 100 ms, 1-2 s');
  t.same(clusterTiming(c({ profile: 'fast' })), { tickMs: 30, heartbeatTicks: 1, electionTicks: 5 }, 'fast');
  t.same(clusterTiming(c({ profile: 'fast', tickMs: 20 })), { tickMs: 20, heartbeatTicks: 1, electionTicks: 5 });
  t.throws(() => clusterTiming(c({ heartbeatTicks: 10 })), /cluster.heartbeatTicks/, 'heartbeat below election');
  t.throws(() => validateConfig({ cluster: { profile: 'slow' } }), /cluster.profile/, 'unknown profile named');
  t.throws(() => validateConfig({ cluster: { peers: [{ id: 'g1' }] } }), /cluster.peers/, 'peer without url');
});

t.test('a cluster without a site key is refused unless security dev mode is on', async (t) => {
  const dir = await tempDir(t);
  const base = { gateway: { id: 'g1' }, store: { dataDir: dir }, cluster: { enabled: true, peers } };
  const warnings: string[] = [];
  await t.rejects(
    resolveClusterSettings(validateConfig(base), 'mqtt://127.0.0.1:1883', (m) => warnings.push(m)),
    /cluster.siteKeyFile: a cluster needs the site key/,
  );
  const dev = await resolveClusterSettings(
    validateConfig({ ...base, security: { devMode: true } }),
    'mqtt://127.0.0.1:1883',
    (m) => warnings.push(m),
  );
  t.equal(dev.siteKey, null, 'dev mode runs unauthenticated');
  t.match(warnings.join('\n'), /NOT authenticated/, 'and says so');

  const key = join(dir, 'site.key');
  await createSiteKey(key);
  const s = await resolveClusterSettings(
    validateConfig({ ...base, cluster: { ...base.cluster, siteKeyFile: key } }),
    'mqtt://127.0.0.1:1883',
    () => {},
  );
  t.equal(s.siteKey?.length, 32, 'the key is read');
  t.same(s.bootstrapVoters, ['g1', 'g2', 'g3'], 'founding voters: peers and this node');
  t.equal(s.inboxUrl, 'mqtt://127.0.0.1:1883', 'embedded: the inbox is on the own broker');
  t.equal(s.advertiseUrl, 'mqtt://10.0.0.1:1883', 'peers reach this node at its listed URL');

  await writeFile(key, 'abcd\n', { mode: 0o600 });
  await t.rejects(
    resolveClusterSettings(validateConfig({ ...base, cluster: { ...base.cluster, siteKeyFile: key } }), null, () => {}),
    /at least 32 bytes/,
    'a short key is refused',
  );
});

t.test('shared mode and joining nodes', async (t) => {
  const dir = await tempDir(t);
  const cfg = validateConfig({
    gateway: { id: 'g4' },
    store: { dataDir: dir },
    security: { devMode: true },
    cluster: { enabled: true, transport: 'shared', sharedBrokerUrl: 'mqtt://broker:1883', join: true, peers },
  });
  const s = await resolveClusterSettings(cfg, 'mqtt://127.0.0.1:1883', () => {});
  t.equal(s.inboxUrl, 'mqtt://broker:1883', 'shared: every inbox on the shared broker');
  t.equal(s.advertiseUrl, 'mqtt://broker:1883');
  t.same(s.bootstrapVoters, [], 'a joining node starts without voters');
  const noBroker = validateConfig({ security: { devMode: true }, cluster: { enabled: true, transport: 'shared' } });
  await t.rejects(
    resolveClusterSettings(noBroker, null, () => {}),
    /cluster.sharedBrokerUrl/,
  );
  t.throws(
    () => validateConfig({ cluster: { peers: [{ id: 'g1', url: 'http://x' }] } }),
    /cluster.peers/,
    'a peer URL must be an MQTT URL',
  );
});

// `cluster.leaderWaitMs`: how long a read or write waits for a leader during an election, separate from the request
// timeout. A gateway started in join mode has no leader until it is added, so its writes and linearizable reads wait
// exactly this long and then fail with an error naming the setting.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { validateConfig } from '../../runtime/config/load.js';
import { createSiteKey } from '../../runtime/security/site-key.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('the setting is validated and defaults to the request timeout', async (t) => {
  t.equal(validateConfig({}).cluster.leaderWaitMs, null, 'null = requestTimeoutMs');
  t.equal(validateConfig({ cluster: { leaderWaitMs: 250 } }).cluster.leaderWaitMs, 250);
  t.throws(() => validateConfig({ cluster: { leaderWaitMs: 0 } }), /cluster.leaderWaitMs/, 'zero refused, named');
  t.throws(() => validateConfig({ cluster: { leaderWaitMs: 'soon' } }), /cluster.leaderWaitMs/, 'not a number');
});

t.setTimeout(90_000);
t.test('a leaderless gateway fails writes and reads after leaderWaitMs, naming it', async (t) => {
  const root = await tempDir(t, 'agentos-lw-');
  const siteKeyFile = join(root, 'site.key');
  await createSiteKey(siteKeyFile);
  const [port, peerPort] = [await freePort(), await freePort()];
  const url = `mqtt://127.0.0.1:${port}`;
  const doc = {
    gateway: { id: 'g2' },
    // join mode: no voters until a member adds this node, so no leader is ever known here
    cluster: {
      enabled: true,
      clusterId: 'lw',
      profile: 'fast',
      siteKeyFile,
      join: true,
      peers: [{ id: 'g1', url: `mqtt://127.0.0.1:${peerPort}` }],
      requestTimeoutMs: 60_000,
      leaderWaitMs: 400,
    },
  };
  const config = join(root, 'g2.json');
  await writeFile(config, JSON.stringify(doc));
  const dataDir = join(root, 'g2');
  await spawnGateway(t, {
    dataDir,
    args: ['--config', config, '--port', String(port), '--no-ws', '--data-dir', dataDir],
  });

  const submit = await runCli(['cluster', 'submit', 't1', 'light.set', '--url', url]);
  t.not(submit.code, 0, 'the write fails');
  t.match(
    submit.stderr,
    /no leader .*after 400 ms \(leaderWaitMs\)/,
    `write error names the setting: ${submit.stderr}`,
  );
  const state = await runCli(['cluster', 'state', '--url', url]);
  t.not(state.code, 0, 'the linearizable read fails');
  t.match(state.stderr, /no leader .*after 400 ms \(leaderWaitMs\)/, `read error names the setting: ${state.stderr}`);
});

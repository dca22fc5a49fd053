// The config: one schema, every error at once with its path, unknown keys refused, defaults in one place; YAML or
// JSON by --config or AGENTOS_CONFIG; a bad file stops `agentos start` with one line and a non-zero exit.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { ConfigError, defaultConfig, loadConfig, validateConfig } from '../../runtime/config/load.js';
import { configSchema } from '../../runtime/config/schema.js';
import { runCli } from '../helpers/cli.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('defaults fill every section', async (t) => {
  const c = defaultConfig();
  t.match(c, {
    broker: { host: '0.0.0.0', port: 1883, wsPort: 8083, url: null },
    store: { dataDir: './data', flushIntervalMs: 1000 },
    liveness: { heartbeatTimeoutMs: 60000 },
    log: { level: 'info' },
  });
  t.match(c.gateway.id, /^gw-/);
  const schema = configSchema() as { properties: Record<string, unknown> };
  t.same(Object.keys(c).sort(), Object.keys(schema.properties).sort(), 'one key per section');
});

t.test('every error is reported at once with its field path', async (t) => {
  const err = t.throws(() =>
    validateConfig({
      broker: { port: 70000, colour: 'red' },
      log: { level: 'loud' },
      store: { flushIntervalMs: 'soon' },
      extra: 1,
    }),
  ) as ConfigError;
  t.type(err, ConfigError);
  const fields = err.errors.map((e) => e.field).sort();
  t.same(fields, ['broker.colour', 'broker.port', 'extra', 'log.level', 'store.flushIntervalMs']);
  t.match(err.message, /broker\.colour: is not a known key/);
  t.match(err.message, /log\.level: must be one of/);
});

t.test('YAML and JSON files, by path or AGENTOS_CONFIG, with command-line overrides on top', async (t) => {
  const dir = await tempDir(t);
  const yaml = join(dir, 'gw.yaml');
  await writeFile(yaml, 'gateway:\n  id: gw-yaml\nbroker:\n  port: 1999\n  wsPort: null\n');
  const json = join(dir, 'gw.json');
  await writeFile(json, JSON.stringify({ gateway: { id: 'gw-json' } }));
  const a = await loadConfig({ path: yaml, env: {} });
  t.match(a.config, { gateway: { id: 'gw-yaml' }, broker: { port: 1999, wsPort: null } });
  const b = await loadConfig({ env: { AGENTOS_CONFIG: json } });
  t.equal(b.config.gateway.id, 'gw-json');
  t.equal(b.file, json);
  const c = await loadConfig({ path: yaml, env: { AGENTOS_CONFIG: json }, overrides: { 'broker.port': 0 } });
  t.equal(c.config.gateway.id, 'gw-yaml', '--config wins over the environment');
  t.equal(c.config.broker.port, 0, 'overrides win over the file');
  await t.rejects(loadConfig({ path: join(dir, 'missing.yaml'), env: {} }), { message: /cannot read file/ });
  await writeFile(join(dir, 'bad.yaml'), 'broker: [1, 2\n');
  await t.rejects(loadConfig({ path: join(dir, 'bad.yaml'), env: {} }), { message: /cannot parse/ });
});

t.test('agentos start with a bad config: one line naming every field, exit 1', async (t) => {
  const dir = await tempDir(t);
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'broker:\n  port: -5\n  wsport: 9001\nlog:\n  level: chatty\n');
  const r = await runCli(['start', '--config', bad]);
  t.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /^agentos start: error: invalid config/);
  t.match(lines[0], /broker\.port: must be >= 0/);
  t.match(lines[0], /broker\.wsport: is not a known key/);
  t.match(lines[0], /log\.level: must be one of/);
  t.equal(r.stdout, '', 'nothing started');
});

t.test('AGENTOS_CONFIG selects the config of a gateway process', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'gw.yaml');
  await writeFile(
    file,
    `gateway:\n  id: gw-from-env\nbroker:\n  host: 127.0.0.1\n  port: 0\n  wsPort: null\nstore:\n  dataDir: ${join(dir, 'data')}\n`,
  );
  const gw = await spawnGateway(t, {
    args: ['--no-ws', '--data-dir', join(dir, 'data')],
    env: { AGENTOS_CONFIG: file },
  });
  t.equal(gw.wsUrl, null, 'WebSocket off');
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  t.match(await api.call('health'), { gatewayId: 'gw-from-env' });
});

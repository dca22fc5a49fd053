// `agentos start` loads a feature's code only when the feature is used (runtime/cli/README.md, "The gateway process
// and its memory"): a default gateway carries no YAML parser, no mqtt.js client, no Raft node, no serial driver and
// no trainer or simulator; a YAML config with the cluster and a serial port loads them. The modules a gateway process
// loaded are read back from a loader hook preloaded into it (tests/helpers/module-log.mjs), not inferred.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { spawnGateway } from '../helpers/gateway-process.js';
import { repoRoot, type Teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';

/** code that a default gateway must not load, by a part of its URL */
const FEATURES: Record<string, string> = {
  yaml: '/node_modules/yaml/',
  'mqtt.js': '/node_modules/mqtt/',
  'ws (no WebSocket listener)': '/node_modules/ws/',
  'the Raft node': '/runtime/cluster/raft/',
  'the cluster node': '/runtime/cluster/cluster-node.',
  'the serial driver': '/drivers/serial/serial-driver.',
  'the firmware bridge': '/firmware-bridge/',
  'the trainer': '/models/rl/trainer.',
  'the DQN': '/models/rl/dqn.',
  'the simulator': '/models/sim/simulator.',
  'the workload generator': '/models/workloads/',
};

/** starts a gateway with the module log hook, waits for it to be ready, stops it and returns the loaded URLs */
async function loadedModules(t: Teardown, args: string[]): Promise<string[]> {
  const dir = await tempDir(t, 'agentos-lazy-');
  const log = join(dir, 'modules.txt');
  const hook = join(repoRoot, 'tests/helpers/module-log.mjs');
  const gw = await spawnGateway(t, {
    args: ['--no-ws', ...args],
    env: { AGENTOS_MODULE_LOG: log, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${hook}`.trim() },
  });
  const code = await gw.stop('SIGTERM');
  if (code !== 0) throw new Error(`gateway exited with ${code}: ${gw.stderr()}`);
  return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
}

function loaded(urls: readonly string[], part: string): string[] {
  return urls.filter((u) => u.includes(part));
}

t.test('a default gateway loads none of the optional features', async (t) => {
  const urls = await loadedModules(t, []);
  // the log is real: the gateway, the embedded broker and the shipped model's runtime are in it
  t.ok(loaded(urls, '/runtime/gateway.').length > 0, 'the gateway module is logged');
  t.ok(loaded(urls, '/node_modules/aedes/').length > 0, 'aedes is logged');
  t.ok(loaded(urls, '/node_modules/onnxruntime-node/').length > 0, 'onnxruntime-node is logged (rl policy)');
  t.ok(loaded(urls, '/runtime/cluster/cluster-component.').length > 0, 'the cluster shell is logged');
  for (const [feature, part] of Object.entries(FEATURES)) t.same(loaded(urls, part), [], `${feature} not loaded`);
});

t.test('a YAML config with the cluster and a serial port loads them', async (t) => {
  const dir = await tempDir(t, 'agentos-lazy-config-');
  const config = join(dir, 'gateway.yaml');
  const yaml = [
    'cluster:',
    '  enabled: true',
    '  clusterId: lazy',
    '  profile: fast',
    'serial:',
    '  ports:',
    // a path that does not exist: the driver starts and waits for it to appear
    `    - path: ${join(dir, 'no-such-tty')}`,
    '      baudRate: 115200',
    'scheduler:',
    '  traceEnabled: false',
    '',
  ].join('\n');
  await writeFile(config, yaml);
  const urls = await loadedModules(t, ['--config', config]);
  for (const feature of ['yaml', 'mqtt.js', 'the Raft node', 'the cluster node', 'the serial driver']) {
    t.ok(loaded(urls, FEATURES[feature]!).length > 0, `${feature} loaded`);
  }
  for (const feature of ['the trainer', 'the simulator', 'the workload generator']) {
    t.same(loaded(urls, FEATURES[feature]!), [], `${feature} still not loaded`);
  }
});

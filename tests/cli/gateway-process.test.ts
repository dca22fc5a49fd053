// The gateway process's settings (runtime/cli/gateway-process.ts): the same V8 flags and environment in every way of
// starting it, in effect in the real process (read back through the `process` health section and /proc), a fallback
// for a gateway started without them, and mqtt-packet's number cache kept off while the broker writes packets.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import { GATEWAY_ENV, GATEWAY_V8_FLAGS, tuneGatewayProcess } from '../../runtime/cli/gateway-process.js';
import { startGateway } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { repoRoot, type Teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

/** what both the start script and the shebang must say before the script: `MALLOC_ARENA_MAX=1 node FLAGS...` */
const expectedPrefix = [...Object.entries(GATEWAY_ENV).map(([k, v]) => `${k}=${v}`), 'node', ...GATEWAY_V8_FLAGS].join(
  ' ',
);

/** the shebang's argument to env -S (what follows `#!/usr/bin/env -S `) */
async function shebang(file: string): Promise<string> {
  const first = (await readFile(join(repoRoot, file), 'utf8')).split('\n')[0] ?? '';
  const prefix = '#!/usr/bin/env -S ';
  if (!first.startsWith(prefix)) throw new Error(`${file}: the first line is not "${prefix}...": ${first}`);
  return first.slice(prefix.length);
}

t.test('npm start and the bin pass the same flags and environment', async (t) => {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: { start: string };
    bin: { agentos: string };
  };
  t.equal(pkg.scripts.start, `${expectedPrefix} ${pkg.bin.agentos} start`, 'start script');
  // tsc copies the shebang into the built bin
  t.equal(await shebang('runtime/cli/agentos.ts'), expectedPrefix, 'shebang of the bin');
});

interface Started {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  url: string;
}

/** runs runtime/cli/agentos.ts the way the kernel runs an executable script: its shebang's interpreter and argument */
async function startThroughShebang(t: Teardown): Promise<Started> {
  const dataDir = await tempDir(t, 'agentos-shebang-');
  const argument = `-S ${await shebang('runtime/cli/agentos.ts')}`;
  const args = [argument, 'runtime/cli/agentos.ts', 'start', '--port', '0', '--no-ws', '--data-dir', dataDir, '--dev'];
  // the source needs tsx; the built bin (same shebang) does not
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '--import=tsx', NODE_ENV: 'test' };
  for (const k of Object.keys(GATEWAY_ENV)) delete env[k]; // it must come from the shebang
  const child = spawn('/usr/bin/env', args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const ready = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
      return logs.find((l) => l['msg'] === 'gateway ready');
    },
    30000,
    'the gateway started through its shebang to log "gateway ready"',
  );
  return { child, logs, url: String(ready['mqtt']) };
}

interface ProcessSection {
  execArgv: string[];
  heapSpaces: Record<string, { sizeMb: number; usedMb: number }>;
  rssMb: number;
}

t.test('the bin started through its shebang runs with the flags and the environment', async (t) => {
  const gw = await startThroughShebang(t);
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  const health = await api.call<{ process: ProcessSection }>('health');
  for (const flag of GATEWAY_V8_FLAGS) t.ok(health.process.execArgv.includes(flag), `${flag} in execArgv`);
  // two semi-spaces of at most 1 MB each (without the flag V8 grows them to 16 MB each under load)
  t.ok((health.process.heapSpaces['new_space']?.sizeMb ?? Number.NaN) <= 2, 'young generation capped at 2 MB');
  t.ok(health.process.rssMb > 0, 'rss reported');
  const environ = (await readFile(`/proc/${gw.child.pid}/environ`, 'utf8')).split('\0');
  for (const [k, v] of Object.entries(GATEWAY_ENV)) t.ok(environ.includes(`${k}=${v}`), `${k}=${v} in the environment`);
  t.match(
    gw.logs.find((l) => l['msg'] === 'process settings'),
    { missing: [], mqttNumberCacheOff: true },
  );
});

t.test('a gateway started without the flags warns, naming them', async (t) => {
  const gw = await spawnGateway(t, { args: ['--no-ws'], env: { MALLOC_ARENA_MAX: '' } });
  const line = gw.logs.find((l) => String(l['msg']).startsWith('process settings'));
  t.match(line, {
    level: 40,
    missing: [...GATEWAY_V8_FLAGS, ...Object.entries(GATEWAY_ENV).map(([k, v]) => `${k}=${v}`)],
  });
  t.match(String(line?.['msg']), /started without --max-semi-space-size=1 .*start with npm start or the agentos bin/);
  t.same(tuneGatewayProcess(GATEWAY_V8_FLAGS, GATEWAY_ENV).missing, [], 'nothing missing with both');
});

t.test('mqtt-packet builds no number cache while the broker writes packets', async (t) => {
  const numbers = createRequire(createRequire(import.meta.url).resolve('aedes'))('mqtt-packet/numbers.js') as {
    cache: Record<number, Buffer>;
  };
  t.match(tuneGatewayProcess(), { mqttNumberCacheOff: true });
  t.same(tuneGatewayProcess(), tuneGatewayProcess(), 'idempotent');
  // this test process's own MQTT clients may have built the cache before (agentos start tunes before any packet);
  // empty it and see that broker traffic does not build it again
  for (const k of Object.keys(numbers.cache)) delete numbers.cache[Number(k)];
  const gw = await startGateway(t);
  const device = await connectMqtt(t, gw.url);
  const listener = await connectMqtt(t, gw.url);
  await listener.subscribeAsync(topics.agent('lamp-1', 'telemetry'), { qos: 1 });
  const received = new Promise<void>((resolve) => listener.once('message', () => resolve()));
  await device.publishAsync(topics.agent('lamp-1', 'telemetry'), '{"values":{"on":true}}', { qos: 1 });
  await received; // the broker wrote a QoS 1 publish (topic length and packet id as 16-bit numbers)
  t.equal(Object.keys(numbers.cache).length, 0, 'no pre-built number buffers');
});

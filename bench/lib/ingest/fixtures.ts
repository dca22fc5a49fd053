// Pieces of bench/ingest.ts: child processes, sinks (bare aedes, in-process gateway) and small statistics.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { pino } from 'pino';
import { AllowAllAccess } from '../../../runtime/bus/access-allow-all.js';
import type { ComponentFactory } from '../../../runtime/component.js';
import { validateConfig } from '../../../runtime/config/load.js';
import { Gateway } from '../../../runtime/gateway.js';

export const root = new URL('../../../', import.meta.url).pathname;

export interface LoadChild {
  request(msg: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** forks raw-load.ts; request() resolves on the child's { ok } answer */
export function forkLoad(): LoadChild {
  const child = fork(join(root, 'bench/lib/ingest/raw-load.ts'), [], { execArgv: ['--import', 'tsx'], cwd: root });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    request: (msg) =>
      new Promise((resolve, reject) => {
        child.once('message', (reply: { ok?: string; error?: string }) =>
          reply.error ? reject(new Error(reply.error)) : resolve(),
        );
        child.send(msg);
      }),
    stop: async () => {
      if (child.connected) child.send({ cmd: 'stop' });
      await exited;
    },
  };
}

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'agentos-bench-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Sink {
  port: number;
  /** resolves when `count` telemetry messages have been fully processed */
  whenCounted(count: number): Promise<void>;
  ready(devices: number): Promise<void>;
  stop(): Promise<void>;
}

export async function bareAedesSink(): Promise<Sink> {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let count = 0;
  let target = Number.POSITIVE_INFINITY;
  let done: () => void = () => {};
  await new Promise<void>((resolve) =>
    aedes.subscribe(
      'agentos/v1/agents/+/telemetry',
      (_packet, cb) => {
        if (++count === target) done();
        cb();
      },
      resolve,
    ),
  );
  return {
    port: (server.address() as AddressInfo).port,
    whenCounted: (n) => {
      count = 0;
      target = n;
      return new Promise((resolve) => {
        done = resolve;
      });
    },
    ready: async () => {},
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** components: undefined = every component of runtime/components.ts; [] = the core alone */
export async function gatewayPieces(dataDir: string, components?: readonly ComponentFactory[]): Promise<Gateway> {
  const config = validateConfig(
    {
      gateway: { id: 'gw-bench' },
      broker: { host: '127.0.0.1', port: 0, wsPort: null },
      store: { dataDir },
      log: { level: 'warn' },
    },
    'bench',
  );
  // allow-all access: the bench measures the message path, not authentication
  const gateway = new Gateway(config, { logger: pino({ level: 'warn' }), access: new AllowAllAccess(), components });
  await gateway.start();
  return gateway;
}

export async function gatewaySink(
  dataDir: string,
  components?: readonly ComponentFactory[],
): Promise<Sink & { gateway: Gateway }> {
  const gateway = await gatewayPieces(dataDir, components);
  const { registry } = gateway.context;
  let count = 0;
  let target = Number.POSITIVE_INFINITY;
  let done: () => void = () => {};
  registry.onChange((c) => {
    if (c.type === 'telemetry' && ++count === target) done();
  });
  return {
    gateway,
    port: Number(new URL(gateway.urls.mqtt).port),
    whenCounted: (n) => {
      count = 0;
      target = n;
      return new Promise((resolve) => {
        done = resolve;
      });
    },
    ready: (devices) => waitUntil(() => registry.size >= devices, 30000, `${devices} agents registered`),
    stop: () => gateway.stop(),
  };
}

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`Timeout after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** starts the simulated device process; resolves once it printed "ready" */
export async function startSimDevice(url: string, agentId: string): Promise<ChildProcess> {
  const child = fork(join(root, 'bench/lib/ingest/sim-device.ts'), [url, agentId], {
    execArgv: ['--import', 'tsx'],
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`sim device exited with ${code}`)));
  });
  return child;
}

export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface CliGateway {
  child: ChildProcess;
  wallReadyMs: number;
  /** CPU time (user + system) the process used until its ready line was read */
  cpuReadyMs: number;
  log: Record<string, unknown>;
  /** the command line, environment assignments first */
  command: string;
  stop(): Promise<void>;
}

/** how to start node: flags before the script and extra environment (package.json's start script has both) */
export interface NodeLaunch {
  flags?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

/** `agentos start` as a user runs it: the built CLI when dist/ exists, else the sources through tsx */
export async function spawnCli(dataDir: string, extraArgs: string[], launch: NodeLaunch = {}): Promise<CliGateway> {
  const dist = join(root, 'dist/runtime/cli/agentos.js');
  const hasDist = await readFile(dist).then(
    () => true,
    () => false,
  );
  const entry = hasDist ? [dist] : ['--import', 'tsx', join(root, 'runtime/cli/agentos.ts')];
  const args = [
    ...(launch.flags ?? []),
    ...entry,
    'start',
    '--port',
    '0',
    '--no-ws',
    '--data-dir',
    dataDir,
    ...extraArgs,
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines)
        if (line.includes('"gateway ready"')) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  const wallReadyMs = performance.now() - started;
  const cpuReadyMs = await cpuMsOf(child.pid ?? 0);
  child.stdout?.resume();
  return {
    child,
    wallReadyMs,
    cpuReadyMs,
    log: { ...log, entry: hasDist ? 'dist' : 'tsx' },
    command: [...Object.entries(launch.env ?? {}).map(([k, v]) => `${k}=${v}`), 'node', ...args].join(' '),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** utime + stime of a process from /proc/PID/stat, ms (Linux; clock ticks are 100 Hz there) */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

// npm run bench -- ingest [--messages N] [--devices D] [--rounds R] [--commands C] [--only rss [--runs K]]
// Telemetry ingest through the gateway's full path (aedes + schema check + agent table + batched store) against a bare
// aedes broker in the same run, a command round trip under 1k msg/s background telemetry, ready time of `agentos
// start`, and idle RSS with 1000 registered agents. Prints one JSON object as its last line.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startCommand } from '../runtime/cli/commands/start.js';
import { GATEWAY_ENV, GATEWAY_V8_FLAGS, tuneGatewayProcess } from '../runtime/cli/gateway-process.js';
import {
  bareAedesSink,
  forkLoad,
  gatewaySink,
  median,
  percentile,
  round,
  type Sink,
  spawnCli,
  startSimDevice,
  tempDir,
} from './lib/ingest/fixtures.js';
import { rssWith1000Agents } from './lib/ingest/rss.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '300000' },
    devices: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '7' },
    commands: { type: 'string', default: '2000' },
    // `--only rss`: only the RSS part, `--runs` times (default 3), with the median and every value
    only: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
// Both brokers of the throughput rounds run in this process, so it runs under the gateway's production settings (the
// V8 flags and environment of `npm start`, and the mqtt-packet setting `agentos start` applies): the rates are what a
// deployed gateway sees, and bare aedes gets the same runtime. Started without them, the bench re-runs itself once.
if (tuneGatewayProcess().missing.length > 0) {
  if (process.env['AGENTOS_BENCH_REEXEC'] === '1') throw new Error('bench ingest: gateway flags still missing');
  const argv = [...GATEWAY_V8_FLAGS, ...process.execArgv, process.argv[1] ?? '', ...process.argv.slice(2)];
  const env = { ...process.env, ...GATEWAY_ENV, AGENTOS_BENCH_REEXEC: '1' };
  process.exit(spawnSync(process.execPath, argv, { stdio: 'inherit', env }).status ?? 1);
}
const MESSAGES = Number(values.messages);
const DEVICES = Number(values.devices);
const ROUNDS = Number(values.rounds);
const COMMANDS = Number(values.commands);
const log = (msg: string) => process.stderr.write(`[ingest] ${msg}\n`);

interface Rate {
  /** messages per wall-clock second */
  wall: number;
  /** messages per CPU-second of the broker process: what one dedicated core would sustain (robust to other load) */
  cpu: number;
}

/** one run: D raw devices blast MESSAGES telemetry messages into the sink (in this process) */
async function throughput(makeSink: () => Promise<Sink>): Promise<Rate> {
  const sink = await makeSink();
  const load = forkLoad();
  try {
    await load.request({ cmd: 'connect', port: sink.port, devices: DEVICES, prefix: 'dev-' });
    await sink.ready(DEVICES);
    const perDevice = Math.floor(MESSAGES / DEVICES);
    const n = perDevice * DEVICES;
    const counted = withTimeout(sink.whenCounted(n), 300000, `${n} messages counted`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all([load.request({ cmd: 'blast', perDevice }), counted]);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { wall: (n * 1000) / wallMs, cpu: (n * 1e6) / (cpu.user + cpu.system) };
  } finally {
    await load.stop();
    await sink.stop();
  }
}

function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timeout after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

interface IngestResult {
  gateway: Rate;
  aedes: Rate;
  core: Rate;
  /** gateway / aedes per round (CPU-normalized): the paired view of the spread */
  roundRatios: number[];
}

/** interleaved rounds (aedes, gateway with every component, gateway core only); medians */
async function ingestRounds(): Promise<IngestResult> {
  const runs: Record<'gateway' | 'aedes' | 'core', Rate[]> = { gateway: [], aedes: [], core: [] };
  for (let r = 0; r < ROUNDS; r++) {
    runs.aedes.push(await throughput(bareAedesSink));
    for (const [key, components] of [
      ['gateway', undefined],
      ['core', []],
    ] as const) {
      const tmp = await tempDir();
      runs[key].push(await throughput(() => gatewaySink(tmp.dir, components)).finally(tmp.remove));
    }
    const fmt = (x: Rate | undefined) => `${Math.round(x?.wall ?? 0)} wall / ${Math.round(x?.cpu ?? 0)} cpu`;
    log(
      `round ${r + 1} msg/s: aedes ${fmt(runs.aedes[r])}, gateway ${fmt(runs.gateway[r])}, core ${fmt(runs.core[r])}`,
    );
  }
  const med = (xs: Rate[]): Rate => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  const roundRatios = runs.gateway.map((g, i) => round(g.cpu / (runs.aedes[i]?.cpu ?? Number.NaN), 3));
  return { gateway: med(runs.gateway), aedes: med(runs.aedes), core: med(runs.core), roundRatios };
}

/** command round trips from the gateway's dispatcher to a device process and back, under steady background load */
async function commandRtt(): Promise<{ p50: number; p99: number; max: number }> {
  const tmp = await tempDir();
  const sink = await gatewaySink(tmp.dir);
  const load = forkLoad();
  const device = await startSimDevice(sink.gateway.urls.mqtt, 'sim-dev');
  try {
    await load.request({ cmd: 'connect', port: sink.port, devices: 10, prefix: 'bg-' });
    await sink.ready(11);
    await load.request({ cmd: 'steady', ratePerS: 1000 });
    const { commands } = sink.gateway.context;
    const rtts: number[] = [];
    for (let i = 0; i < COMMANDS + 100; i++) {
      const t0 = performance.now();
      const r = await commands.send({ agentId: 'sim-dev', name: 'ping', timeoutMs: 5000 });
      if (!r.ok) throw new Error(`command failed: ${JSON.stringify(r)}`);
      if (i >= 100) rtts.push(performance.now() - t0); // the first 100 warm the JIT and the sockets
    }
    rtts.sort((x, y) => x - y);
    return { p50: percentile(rtts, 50), p99: percentile(rtts, 99), max: rtts[rtts.length - 1] ?? Number.NaN };
  } finally {
    device.disconnect();
    await load.stop();
    await sink.stop();
    await tmp.remove();
  }
}

const cliArgs = 'dev' in startCommand.options ? ['--dev'] : [];

async function readyTimes(): Promise<{ wallMs: number; inProcessMs: number; cpuMs: number; entry: string }> {
  const wall: number[] = [];
  const inside: number[] = [];
  const cpu: number[] = [];
  let entry = '';
  for (let i = 0; i < 3; i++) {
    const tmp = await tempDir();
    const gw = await spawnCli(tmp.dir, cliArgs);
    wall.push(gw.wallReadyMs);
    inside.push(Number(gw.log['readyMs']));
    cpu.push(gw.cpuReadyMs);
    entry = String(gw.log['entry']);
    await gw.stop();
    await tmp.remove();
  }
  return { wallMs: median(wall), inProcessMs: median(inside), cpuMs: median(cpu), entry };
}

const load0 = loadavg()[0] ?? 0;
if (values.only !== undefined) {
  if (values.only !== 'rss') throw new TypeError(`--only: unknown part "${values.only}"; valid: rss`);
  await onlyRss(Number(values.runs));
  process.exit(0);
}
log(
  `messages ${MESSAGES}, devices ${DEVICES}, rounds ${ROUNDS}; load average ${load0.toFixed(2)} on ${cpus().length} cpus`,
);
const ingest = await ingestRounds();
const rtt = await commandRtt();
log(`command rtt p50 ${rtt.p50.toFixed(3)} ms, p99 ${rtt.p99.toFixed(3)} ms`);
const ready = await readyTimes();
const rss = (await rssWith1000Agents(cliArgs)).rssMb;
console.log(
  JSON.stringify({
    gateway_msgs_per_s: Math.round(ingest.gateway.cpu),
    aedes_msgs_per_s: Math.round(ingest.aedes.cpu),
    ratio_vs_aedes: round(ingest.gateway.cpu / ingest.aedes.cpu, 3),
    cmd_rtt_p50_ms: round(rtt.p50, 3),
    cmd_rtt_p99_ms: round(rtt.p99, 3),
    ready_ms: Math.round(ready.wallMs),
    rss_mb_1000_agents: round(rss, 1),
    msgs_per_s_basis: 'messages per CPU-second of the broker process (wall-clock rates below)',
    node_flags: [...GATEWAY_V8_FLAGS, ...Object.entries(GATEWAY_ENV).map(([k, v]) => `${k}=${v}`)].join(' '),
    gateway_msgs_per_s_wall: Math.round(ingest.gateway.wall),
    aedes_msgs_per_s_wall: Math.round(ingest.aedes.wall),
    ratio_vs_aedes_wall: round(ingest.gateway.wall / ingest.aedes.wall, 3),
    ratio_vs_aedes_per_round: ingest.roundRatios,
    core_msgs_per_s: Math.round(ingest.core.cpu),
    core_ratio_vs_aedes: round(ingest.core.cpu / ingest.aedes.cpu, 3),
    cmd_rtt_max_ms: round(rtt.max, 3),
    ready_in_process_ms: Math.round(ready.inProcessMs),
    ready_cpu_ms: Math.round(ready.cpuMs),
    ready_entry: ready.entry,
    messages: MESSAGES,
    devices: DEVICES,
    rounds: ROUNDS,
    commands: COMMANDS,
    background_msgs_per_s: 1000,
    loadavg_1m_at_start: round(load0, 2),
    cpus: cpus().length,
  }),
);

async function onlyRss(runs: number): Promise<void> {
  const values: number[] = [];
  const ready: number[] = [];
  let last: Awaited<ReturnType<typeof rssWith1000Agents>> | undefined;
  for (let i = 0; i < runs; i++) {
    last = await rssWith1000Agents(cliArgs);
    values.push(round(last.rssMb, 1));
    ready.push(Math.round(last.readyMs));
    log(`rss run ${i + 1}: ${last.rssMb.toFixed(1)} MB (anon ${last.anonMb}, file-backed ${last.fileMb})`);
  }
  console.log(
    JSON.stringify({
      rss_mb_1000_agents: round(median(values), 1),
      rss_mb_runs: values,
      rss_ready_ms_runs: ready,
      rss_command: last?.command,
      rss_anon_mb: last?.anonMb,
      rss_file_mb: last?.fileMb,
      rss_process: last?.process,
      loadavg_1m_at_start: round(load0, 2),
      loadavg_1m_at_end: round(loadavg()[0] ?? 0, 2),
      cpus: cpus().length,
    }),
  );
}

// npm run bench -- site-retrain [--tasks 3000] [--rate 40] [--episodes 30] [--minutes 10] [--window 200] [--keep-trace DIR]
// A retrain of the running model from a real site trace, in a live gateway: an in-process gateway (embedded aedes on a
// free port, state in a temp dir) with four real SDK agents of different speeds (each sleeps estimate x its
// slowness, one or two tasks at a time) runs --tasks tasks submitted at --rate per second; the gateway records the
// trace. Then `model.retrain` is called over the API: the training runs in the forked worker. Reports the retrain's
// wall time and CPU (the worker's own count), the worker's peak RSS and niceness, and how long the gateway's event
// loop stalled meanwhile (perf_hooks monitorEventLoopDelay over the retrain, against the same measure while the
// trace was recorded; resolution 1 ms, so an idle loop reads about 1 ms). The contrast: the same fine-tune run on the
// gateway's own event loop, and the stall it causes (loop_delay_in_process_max_ms). Last line: one JSON object.
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { MlpJson } from '../models/rl/mlp.js';
import { readSiteTrace } from '../models/rl/site-trace-dir.js';
import { fineTuneFromSite, siteTuneConfig } from '../models/rl/site-tune.js';
import { ApiClient } from '../runtime/bus/api-client.js';
import { Gateway } from '../runtime/gateway.js';
import type { RetrainOutcome } from '../runtime/scheduler/site-learning.js';
import { AgentClient, TaskClient } from '../sdk/index.js';
import { benchGatewayConfig } from './lib/live/bench-gateway-config.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '3000' },
    rate: { type: 'string', default: '40' },
    episodes: { type: 'string', default: '30' },
    minutes: { type: 'string', default: '10' },
    window: { type: 'string', default: '200' },
    /** copy <dataDir>/scheduler (the trace files) here, for `agentos model train --trace DIR` */
    'keep-trace': { type: 'string' },
  },
});
const tasksN = Number(values.tasks);
const ratePerS = Number(values.rate);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
/** agent -> [slowness (observed / estimated duration), tasks at once] */
const AGENTS: Record<string, [number, number]> = { fast: [0.5, 2], mid: [1, 2], slow: [2, 1], crawl: [4, 1] };

const dir = await mkdtemp(join(tmpdir(), 'agentos-bench-retrain-'));
const config = benchGatewayConfig(dir, {
  queueLengthMax: Math.max(1000, tasksN),
  finishedTasksMax: tasksN,
  traceTasksPerFileMax: 1000,
  traceFilesMax: 10,
  siteLearning: { windowTasks: Number(values.window) },
});
const lines: string[] = [];
const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s).msg) });
const gateway = new Gateway(config, { logger });
await gateway.start();
const url = gateway.urls.mqtt;
const agents: AgentClient[] = [];
const api = await ApiClient.connect({ url, timeoutMs: 3_600_000 });
const tasks = await TaskClient.connect({ url, timeoutMs: 60_000 });
try {
  for (const [id, [slowness, slots]] of Object.entries(AGENTS)) {
    const a = new AgentClient({
      url,
      agentId: id,
      stateDir: join(dir, `agent-${id}`),
      kind: 'software',
      capabilities: ['bench.run'],
      capacity: { cpu: slots, memoryMb: 4096, bandwidthKbps: 10000 },
    });
    a.onTask<{ ms: number }>('bench.run', async (input) => {
      await sleep(input.ms * slowness);
      return null;
    });
    await a.start();
    await a.waitConnected(15_000);
    agents.push(a);
  }

  const recording = monitorEventLoopDelay({ resolution: 1 });
  recording.enable();
  const t0 = Date.now();
  const submits: Array<Promise<{ task: { id: string } }>> = [];
  for (let i = 0; i < tasksN; i++) {
    // paced arrivals: task i is due at i / rate seconds (not waiting for the previous submit's answer)
    const due = t0 + (i * 1000) / ratePerS;
    if (due > Date.now()) await sleep(due - Date.now());
    const est = 10 + ((i * 7919) % 9) * 10;
    submits.push(tasks.submit({ capability: 'bench.run', estDurationMs: est, demand: { cpu: 1 }, input: { ms: est } }));
  }
  for (const { task } of await Promise.all(submits)) await tasks.wait(task.id, 600_000);
  recording.disable();
  const recordS = (Date.now() - t0) / 1000;

  const before = await api.call<{ version: string }>('model.status');
  const during = monitorEventLoopDelay({ resolution: 1 });
  let peakRssMb = 0;
  let nice: number[] = [];
  const watch = setInterval(() => {
    const pid = workerPid();
    if (!pid) return;
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      peakRssMb = Math.max(peakRssMb, Number(rss?.[1] ?? 0) / 1024);
      if (nice.length === 0) nice = threadNice(pid);
    } catch {
      // the worker exited between two samples
    }
  }, 100);
  during.enable();
  const cpu0 = process.cpuUsage();
  const r0 = Date.now();
  const load0 = loadavg()[0]!;
  const r = await api.call<RetrainOutcome>('model.retrain', {
    episodes: Number(values.episodes),
    minutes: Number(values.minutes),
  });
  const retrainWallMs = Date.now() - r0;
  const gatewayCpu = process.cpuUsage(cpu0);
  during.disable();
  clearInterval(watch);
  const ms = (ns: number) => round(ns / 1e6, 2);
  const scheduler = join(dir, 'scheduler');
  if (values['keep-trace']) cpSync(scheduler, values['keep-trace'], { recursive: true });
  // the contrast: the same retrain on the gateway's own event loop (what the worker avoids)
  const inProcess = monitorEventLoopDelay({ resolution: 1 });
  inProcess.enable();
  const ip0 = Date.now();
  const shippedModel = String(
    ((await api.call('model.status')) as { configuredModelPath: string }).configuredModelPath,
  );
  const base = JSON.parse(readFileSync(shippedModel.replace(/\.onnx$/, '.weights.json'), 'utf8')) as MlpJson;
  const card = JSON.parse(readFileSync(shippedModel.replace(/\.onnx$/, '.card.json'), 'utf8'));
  fineTuneFromSite(readSiteTrace(scheduler, { tasksMax: 20_000 }).trace, {
    base,
    config: siteTuneConfig(base, card, 1),
    windowTasks: Number(values.window),
    heldOutFraction: 0.3,
    episodes: Number(values.episodes),
    timeBudgetMs: Number(values.minutes) * 60_000,
  });
  await sleep(5); // let the monitor record the stalled interval
  inProcess.disable();
  const inProcessS = (Date.now() - ip0) / 1000;
  console.log(lines.filter((l) => l.startsWith('scheduler: retrained') || l.includes('swapped')).join('\n'));
  console.log(
    JSON.stringify({
      trace_tasks: r.trace.tasks,
      trace_runs: r.trace.runs,
      trace_files: r.trace.files,
      record_s: round(recordS),
      windows_train: r.trainWindows,
      windows_held_out: r.heldOutWindows,
      episodes: r.episodes,
      accepted: r.accepted,
      held_out_new: round(r.newScore, 4),
      held_out_running: round(r.oldScore, 4),
      running_version: before.version,
      retrain_wall_s: round(retrainWallMs / 1000, 2),
      worker_wall_s: round(r.wallMs / 1000, 2),
      worker_cpu_s: round(r.cpuMs / 1000, 2),
      worker_max_rss_mb: r.maxRssMb,
      worker_peak_rss_sampled_mb: round(peakRssMb),
      worker_thread_nice: [...new Set(nice)],
      gateway_cpu_s_during: round((gatewayCpu.user + gatewayCpu.system) / 1e6, 3),
      loop_delay_during_max_ms: ms(during.max),
      loop_delay_during_p99_ms: ms(during.percentile(99)),
      loop_delay_during_mean_ms: ms(during.mean),
      loop_delay_recording_max_ms: ms(recording.max),
      in_process_retrain_s: round(inProcessS, 2),
      loop_delay_in_process_max_ms: ms(inProcess.max),
      loop_delay_recording_p99_ms: ms(recording.percentile(99)),
      loadavg_1m_start: round(load0, 2),
      loadavg_1m_end: round(loadavg()[0]!, 2),
      cpus: cpus().length,
    }),
  );
} finally {
  await tasks.close();
  await api.close();
  for (const a of agents) await a.stop();
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
}

/** the retrain worker: the one child process of this process running site-retrain-worker */
function workerPid(): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('site-retrain-worker')) return Number(name);
    } catch {
      // a process that ended while we looked
    }
  }
  return null;
}

/** the niceness of each thread of pid (field 19 of /proc/PID/task/TID/stat) */
function threadNice(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

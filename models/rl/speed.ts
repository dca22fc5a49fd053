// Decision speed and memory of the ONNX policy on the gateway's hot path, for bench/scheduler.ts. A "decision" is one
// decide() call for one waiting task over `agents` agents: feature extraction of every (task, agent) pair plus the
// wait row, one batched onnxruntime call, greedy selection. Also measures a full decision with a 16-task window.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RlOnnxPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import type { AgentView, Observation, TaskView } from '../../runtime/scheduler/policy.js';
import { Rng } from './rng.js';

const CAPS = ['compute.infer', 'data.sync', 'sense.read', 'vision.detect'];

function syntheticAgents(n: number, rng: Rng): AgentView[] {
  return Array.from({ length: n }, (_, i) => {
    const cpu = [1, 2, 4][i % 3]!;
    const a: AgentView = {
      id: `a${i}`,
      kind: (['device', 'robot', 'software'] as const)[i % 3]!,
      capabilities: CAPS,
      capacity: { cpu, memoryMb: 1024 * cpu, bandwidthKbps: 10_000 * cpu },
      used: { cpu: rng.next() * cpu * 0.5, memoryMb: 0, bandwidthKbps: 0 },
      running: rng.int(3),
      estFreeAtMs: rng.next() * 5000,
      speed: 0.3 + rng.next() * 1.7,
      linkQuality: 0.5 + rng.next() * 0.5,
    };
    if (i % 3 === 1) a.battery = rng.next();
    return a;
  });
}

function syntheticTasks(n: number, rng: Rng): TaskView[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    capability: CAPS[i % CAPS.length]!,
    demand: { cpu: 0.25, memoryMb: 128, bandwidthKbps: 500 },
    estDurationMs: 500 + rng.next() * 5000,
    priority: i % 10,
    arrivalMs: rng.next() * 1000,
    attempts: 0,
  }));
}

export interface SpeedResult {
  decisionsPerS: number;
  decisionP99Ms: number;
  /** the same with 16 waiting tasks per decision (up to 16 x agents pairs) */
  windowDecisionsPerS: number;
  windowDecisionP99Ms: number;
  /**
   * Decisions per second of this process's CPU time (user + system, every thread: onnxruntime's included) over the
   * same timed loops: unlike the wall-clock rates, barely moved by other work sharing the cores.
   */
  decisionsPerCpuS: number;
  windowDecisionsPerCpuS: number;
  /** 1-minute load average when the timing started and when it ended: how shared the machine was */
  loadAverage: [number, number];
  /** RSS a fresh process gains by creating the session and running it once (includes onnxruntime's init), MiB */
  modelRssMb: number;
}

async function timeDecisions(policy: RlOnnxPolicy, obs: Observation[], iterations: number) {
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) await policy.decide(obs[i % obs.length]!); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    await policy.decide(obs[i % obs.length]!);
    lat.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  lat.sort((a, b) => a - b);
  return {
    perS: iterations / (total / 1000),
    perCpuS: cpuS > 0 ? iterations / cpuS : 0,
    p99: lat[Math.floor(lat.length * 0.99)] ?? 0,
  };
}

/** Runs rss-probe.ts in its own process, so the measure is not hidden by sessions this process already holds. */
function rssInFreshProcess(modelPath: string, cardPath: string): number {
  const probe = join(dirname(fileURLToPath(import.meta.url)), 'rss-probe.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe, modelPath, cardPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rss-probe failed (exit ${r.status}): ${r.stderr.split('\n')[0]}`);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { model_rss_mb: number }).model_rss_mb;
}

export async function measureDecisionSpeed(modelPath: string, cardPath: string, agents = 100): Promise<SpeedResult> {
  const rng = new Rng(99);
  const pool = syntheticAgents(agents, rng);
  const single: Observation[] = Array.from({ length: 64 }, (_, k) => ({
    nowMs: 1000,
    tasks: syntheticTasks(1, new Rng(k + 1)),
    agents: pool,
  }));
  const window: Observation[] = Array.from({ length: 16 }, (_, k) => ({
    nowMs: 1000,
    tasks: syntheticTasks(16, new Rng(k + 100)),
    agents: pool,
  }));
  const modelRssMb = rssInFreshProcess(modelPath, cardPath);
  const policy = await RlOnnxPolicy.load(modelPath, cardPath);
  try {
    const load0 = loadavg()[0]!;
    const one = await timeDecisions(policy, single, 20_000);
    const win = await timeDecisions(policy, window, 2_000);
    const load1 = loadavg()[0]!;
    return {
      decisionsPerS: Math.round(one.perS),
      decisionP99Ms: Number(one.p99.toFixed(4)),
      windowDecisionsPerS: Math.round(win.perS),
      windowDecisionP99Ms: Number(win.p99.toFixed(4)),
      decisionsPerCpuS: Math.round(one.perCpuS),
      windowDecisionsPerCpuS: Math.round(win.perCpuS),
      loadAverage: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
      modelRssMb,
    };
  } finally {
    await policy.close();
  }
}

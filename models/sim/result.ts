// What one simulation run produced: per-task outcomes (arrival order) and the run's summary metrics.
import type { ResourceVector } from '../../runtime/scheduler/policy.js';
import type { Scenario } from './scenario.js';

/** Counters the simulator fills while it runs. */
export interface SimCounters {
  /** start of the last attempt, ms; NaN when never started */
  startMs: Float64Array;
  /** ms; NaN when unfinished */
  finishMs: Float64Array;
  /** agent index of the last attempt, -1 when never placed */
  agentOf: Int32Array;
  /** placements lost to agent failures or empty batteries */
  attempts: Int32Array;
  /** resource x ms held by tasks (including work lost to failures) */
  busy: ResourceVector;
  placements: number;
  decisions: number;
  completed: number;
  /** ms of task execution thrown away by failures */
  lostWorkMs: number;
  agentFailures: number;
  batteryDepletions: number;
}

export interface SimSummary {
  tasks: number;
  completed: number;
  /** tasks not finished when the run stopped (stall or simTimeMaxMs); counted in slowdown up to the stop time */
  unfinished: number;
  /** mean over tasks of (finish - arrival) / ideal, where ideal = actual work on the fastest capable agent */
  meanSlowdown: number;
  p95Slowdown: number;
  /** mean of finish - arrival, ms */
  meanCompletionMs: number;
  /** busy / (total capacity x makespan) on the bottleneck resource (the largest of cpu, memory, bandwidth), 0..1 */
  utilization: number;
  utilizationByResource: ResourceVector;
  /** tasks with a deadline that finished after it (or never) */
  deadlineMisses: number;
  /** deadlineMisses / tasks that had a deadline; 0 when none had one */
  deadlineMissRate: number;
  makespanMs: number;
  placements: number;
  decisions: number;
  lostWorkMs: number;
  agentFailures: number;
  batteryDepletions: number;
}

export interface SimResult {
  name: string;
  seed: number;
  load: number;
  /** per task in arrival order */
  slowdown: Float64Array;
  /** finish - arrival, ms (up to the stop time when unfinished) */
  completionMs: Float64Array;
  /** 1 when the task had a deadline and missed it, else 0 */
  deadlineMissed: Uint8Array;
  /** 1 when the task had a deadline */
  hasDeadline: Uint8Array;
  counters: SimCounters;
  summary: SimSummary;
}

export function buildResult(s: Scenario, c: SimCounters, idealMs: Float64Array, endMs: number): SimResult {
  const n = s.tasks.length;
  const slowdown = new Float64Array(n);
  const completionMs = new Float64Array(n);
  const deadlineMissed = new Uint8Array(n);
  const hasDeadline = new Uint8Array(n);
  let deadlines = 0;
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const t = s.tasks[i]!;
    const finish = Number.isNaN(c.finishMs[i]!) ? endMs : c.finishMs[i]!;
    completionMs[i] = finish - t.arrivalMs;
    slowdown[i] = Math.max(completionMs[i]!, 0) / idealMs[i]!;
    if (t.deadlineMs !== undefined) {
      hasDeadline[i] = 1;
      deadlines++;
      if (Number.isNaN(c.finishMs[i]!) || c.finishMs[i]! > t.deadlineMs) {
        deadlineMissed[i] = 1;
        misses++;
      }
    }
  }
  const cap = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };
  for (const a of s.agents) {
    cap.cpu += a.capacity.cpu;
    cap.memoryMb += a.capacity.memoryMb;
    cap.bandwidthKbps += a.capacity.bandwidthKbps;
  }
  const span = Math.max(endMs, 1);
  const util = {
    cpu: cap.cpu > 0 ? c.busy.cpu / (cap.cpu * span) : 0,
    memoryMb: cap.memoryMb > 0 ? c.busy.memoryMb / (cap.memoryMb * span) : 0,
    bandwidthKbps: cap.bandwidthKbps > 0 ? c.busy.bandwidthKbps / (cap.bandwidthKbps * span) : 0,
  };
  const summary: SimSummary = {
    tasks: n,
    completed: c.completed,
    unfinished: n - c.completed,
    meanSlowdown: mean(slowdown),
    p95Slowdown: quantile(slowdown, 0.95),
    meanCompletionMs: mean(completionMs),
    utilization: Math.max(util.cpu, util.memoryMb, util.bandwidthKbps),
    utilizationByResource: util,
    deadlineMisses: misses,
    deadlineMissRate: deadlines > 0 ? misses / deadlines : 0,
    makespanMs: endMs,
    placements: c.placements,
    decisions: c.decisions,
    lostWorkMs: c.lostWorkMs,
    agentFailures: c.agentFailures,
    batteryDepletions: c.batteryDepletions,
  };
  return {
    name: s.name,
    seed: s.seed,
    load: s.load,
    slowdown,
    completionMs,
    deadlineMissed,
    hasDeadline,
    counters: c,
    summary,
  };
}

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Linear-interpolated quantile (type 7) of a copy of xs. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) return 0;
  const sorted = Float64Array.from(xs).sort();
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

// The one feature extractor of the learned scheduler. Training (models/rl), the TypeScript forward pass and the ONNX
// policy all call `extractCandidates`, so the model sees in production exactly the features it was trained on.
// A change to any feature or its normalization must bump FEATURE_SCHEMA_VERSION: the hash below goes into the model
// card and a model whose hash differs is refused at load.
import { createHash } from 'node:crypto';
import type { AgentView, Observation, ResourceVector, TaskView } from './policy.js';

export const FEATURE_SCHEMA_VERSION = 1;

/** How each feature is normalized; the text is part of the schema hash, so it documents and pins the code. */
export const FEATURES: readonly { name: string; norm: string }[] = [
  // task features
  { name: 'task_log_duration', norm: 'ln(1 + estDurationMs/1000) / 5' },
  { name: 'task_log_run_on_agent', norm: 'ln(1 + estDurationMs/speed/1000) / 5' },
  { name: 'task_wait_ratio', norm: 'ln(1 + max(0, nowMs - arrivalMs) / estDurationMs) / 3' },
  { name: 'task_priority', norm: 'priority / 9' },
  { name: 'task_has_deadline', norm: '1 if deadlineMs present else 0' },
  {
    name: 'task_deadline_slack',
    norm: 'clip((deadlineMs - nowMs - estDurationMs/speed) / estDurationMs, -3, 3) / 3; 0 without deadline',
  },
  { name: 'task_attempts', norm: 'min(attempts, 5) / 5' },
  { name: 'task_cpu_share', norm: 'demand.cpu / capacity.cpu (0 when both 0)' },
  { name: 'task_mem_share', norm: 'demand.memoryMb / capacity.memoryMb' },
  { name: 'task_bw_share', norm: 'demand.bandwidthKbps / capacity.bandwidthKbps' },
  { name: 'task_duration_rank', norm: 'fraction of window tasks with a shorter estDurationMs, 0..1' },
  { name: 'task_age_rank', norm: 'index in arrival order / window size, 0..1' },
  // agent features
  { name: 'agent_cpu_free_after', norm: '(capacity.cpu - used.cpu - demand.cpu) / capacity.cpu' },
  { name: 'agent_mem_free_after', norm: '(capacity.memoryMb - used.memoryMb - demand.memoryMb) / capacity.memoryMb' },
  { name: 'agent_bw_free_after', norm: '(capacity.bw - used.bw - demand.bw) / capacity.bw' },
  { name: 'agent_utilization', norm: 'mean over cpu, memory, bandwidth of used / capacity' },
  { name: 'agent_running', norm: 'ln(1 + running) / 3' },
  { name: 'agent_busy_ratio', norm: 'ln(1 + max(0, estFreeAtMs - nowMs) / estDurationMs) / 3' },
  { name: 'agent_log_speed', norm: 'clip(log2(speed), -4, 4) / 2' },
  { name: 'agent_speed_rel', norm: 'speed / max speed of the agents having the capability' },
  { name: 'agent_battery', norm: 'battery, 1 when mains-powered' },
  { name: 'agent_has_battery', norm: '1 if battery present else 0' },
  { name: 'agent_link', norm: 'linkQuality 0..1' },
  { name: 'agent_kind_device', norm: 'one-hot kind' },
  { name: 'agent_kind_robot', norm: 'one-hot kind' },
  { name: 'agent_kind_software', norm: 'one-hot kind' },
  // global features (same for every candidate of one observation)
  { name: 'global_log_tasks', norm: 'ln(1 + max(tasks.length, waitingTotal)) / 5' },
  { name: 'global_log_agents', norm: 'ln(1 + agents) / 5' },
  { name: 'global_cpu_utilization', norm: 'sum used.cpu / sum capacity.cpu' },
  { name: 'global_tasks_per_agent', norm: 'ln(1 + max(tasks.length, waitingTotal) / agents) / 3' },
  { name: 'pair_feasible_share', norm: 'feasible agents for this task / agents with the capability' },
  {
    name: 'is_wait',
    norm: '1 on the single "wait" row (task and agent features 0), else 0; the row exists when waiting is offered and some agent runs a task (so waiting cannot stall an idle system), or when no pair is feasible',
  },
];

export const FEATURE_COUNT = FEATURES.length;
const GLOBAL_OFFSET = 26;
const FEASIBLE_SHARE = 30;
const IS_WAIT = 31;

/** Limits on the candidate set so a long queue cannot blow up one decision. */
export interface CandidateLimits {
  /** oldest waiting tasks always considered (no starvation) */
  oldestTasksMax: number;
  /** further tasks considered, shortest estDurationMs first (lets the model act like SJF) */
  shortestTasksMax: number;
  /**
   * the oldest waiting tasks of every capability also considered (none starves); absent = 0. Part of the card's
   * limits, not of the feature schema.
   */
  oldestPerCapabilityMax?: number | undefined;
}

export const DEFAULT_LIMITS: CandidateLimits = { oldestTasksMax: 8, shortestTasksMax: 8 };

export interface Candidates {
  /** row-major [rows x FEATURE_COUNT] */
  features: Float32Array;
  rows: number;
  /** per row: index into obs.tasks, or -1 for the wait row */
  taskIndex: Int32Array;
  /** per row: index into obs.agents, or -1 for the wait row */
  agentIndex: Int32Array;
  /** row of the "wait" option, or -1 when not included */
  waitRow: number;
}

/** sha256 over version, names and normalizations; stored in the model card and checked at load. */
export function featureSchemaHash(): string {
  const text = JSON.stringify({ v: FEATURE_SCHEMA_VERSION, f: FEATURES });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function fits(task: TaskView, agent: AgentView): boolean {
  const c = agent.capacity;
  const u = agent.used;
  const d = task.demand;
  return (
    agent.capabilities.includes(task.capability) &&
    u.cpu + d.cpu <= c.cpu + 1e-9 &&
    u.memoryMb + d.memoryMb <= c.memoryMb + 1e-9 &&
    u.bandwidthKbps + d.bandwidthKbps <= c.bandwidthKbps + 1e-9
  );
}

/**
 * The task window (indices into obs.tasks, in arrival order): the oldest tasks, each capability's oldest, and the
 * shortest of the rest.
 */
export function taskWindow(tasks: readonly TaskView[], limits: CandidateLimits = DEFAULT_LIMITS): number[] {
  const n = tasks.length;
  const perCap = limits.oldestPerCapabilityMax ?? 0;
  if (n <= limits.oldestTasksMax + limits.shortestTasksMax) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  for (let i = 0; i < limits.oldestTasksMax; i++) picked.add(i);
  if (perCap > 0) {
    const shown = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const cap = tasks[i]!.capability;
      const k = shown.get(cap) ?? 0;
      if (k < perCap) picked.add(i);
      shown.set(cap, k + 1);
    }
  }
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!picked.has(i)) rest.push(i);
  rest.sort((a, b) => tasks[a]!.estDurationMs - tasks[b]!.estDurationMs || a - b);
  for (let i = 0; i < limits.shortestTasksMax && i < rest.length; i++) picked.add(rest[i]!);
  return [...picked].sort((a, b) => a - b);
}

function share(num: number, den: number): number {
  if (den <= 0) return num > 0 ? 1 : 0;
  return num / den;
}

function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : Math.min(x, hi);
}

function globalFeatures(obs: Observation, out: Float32Array): void {
  let usedCpu = 0;
  let capCpu = 0;
  for (const a of obs.agents) {
    usedCpu += a.used.cpu;
    capCpu += a.capacity.cpu;
  }
  const nA = Math.max(1, obs.agents.length);
  const waiting = Math.max(obs.tasks.length, obs.waitingTotal ?? 0);
  out[0] = Math.log1p(waiting) / 5;
  out[1] = Math.log1p(obs.agents.length) / 5;
  out[2] = share(usedCpu, capCpu);
  out[3] = Math.log1p(waiting / nA) / 3;
}

/** Agent features that do not depend on the task (rows 15, 16, 18, 20..25), computed once per observation. */
const AGENT_STATIC = [15, 16, 18, 20, 21, 22, 23, 24, 25] as const;

function agentStatic(a: AgentView, out: Float32Array, o: number): void {
  const c = a.capacity;
  const u = a.used;
  out[o] = (share(u.cpu, c.cpu) + share(u.memoryMb, c.memoryMb) + share(u.bandwidthKbps, c.bandwidthKbps)) / 3;
  out[o + 1] = Math.log1p(a.running) / 3;
  out[o + 2] = clip(Math.log2(Math.max(1e-6, a.speed)), -4, 4) / 2;
  out[o + 3] = a.battery ?? 1;
  out[o + 4] = a.battery === undefined ? 0 : 1;
  out[o + 5] = a.linkQuality;
  out[o + 6] = a.kind === 'device' ? 1 : 0;
  out[o + 7] = a.kind === 'robot' ? 1 : 0;
  out[o + 8] = a.kind === 'software' ? 1 : 0;
}

/** Task features that do not depend on the agent (rows 0, 2, 3, 4, 6), computed once per window task. */
function taskStatic(o: Observation, t: TaskView): Float32Array {
  const est = Math.max(1, t.estDurationMs);
  return Float32Array.of(
    Math.log1p(est / 1000) / 5,
    Math.log1p(Math.max(0, o.nowMs - t.arrivalMs) / est) / 3,
    t.priority / 9,
    t.deadlineMs === undefined ? 0 : 1,
    Math.min(t.attempts, 5) / 5,
  );
}

/** The task-and-agent dependent features of one pair, written at `row` (offset in floats). */
function writePair(
  o: Observation,
  t: TaskView,
  ts: Float32Array,
  a: AgentView,
  maxSpeed: number,
  f: Float32Array,
  row: number,
) {
  const est = Math.max(1, t.estDurationMs);
  const speed = Math.max(1e-6, a.speed);
  const c: ResourceVector = a.capacity;
  const u: ResourceVector = a.used;
  const d: ResourceVector = t.demand;
  f[row] = ts[0]!;
  f[row + 1] = Math.log1p(est / speed / 1000) / 5;
  f[row + 2] = ts[1]!;
  f[row + 3] = ts[2]!;
  f[row + 4] = ts[3]!;
  f[row + 5] = t.deadlineMs === undefined ? 0 : clip((t.deadlineMs - o.nowMs - est / speed) / est, -3, 3) / 3;
  f[row + 6] = ts[4]!;
  f[row + 7] = share(d.cpu, c.cpu);
  f[row + 8] = share(d.memoryMb, c.memoryMb);
  f[row + 9] = share(d.bandwidthKbps, c.bandwidthKbps);
  f[row + 12] = share(c.cpu - u.cpu - d.cpu, c.cpu);
  f[row + 13] = share(c.memoryMb - u.memoryMb - d.memoryMb, c.memoryMb);
  f[row + 14] = share(c.bandwidthKbps - u.bandwidthKbps - d.bandwidthKbps, c.bandwidthKbps);
  f[row + 17] = Math.log1p(Math.max(0, a.estFreeAtMs - o.nowMs) / est) / 3;
  f[row + 19] = maxSpeed > 0 ? speed / maxSpeed : 1;
}

/**
 * Every feasible (task, agent) pair of the task window, one feature row each, plus one "wait" row when `withWait` and
 * some agent is running a task (waiting in an idle system could only stall it), or when no pair is feasible.
 * Rows are ordered by task (arrival order) then agent (observation order), so the result is deterministic.
 */
export function extractCandidates(
  obs: Observation,
  withWait = true,
  limits: CandidateLimits = DEFAULT_LIMITS,
): Candidates {
  const window = taskWindow(obs.tasks, limits);
  const glob = new Float32Array(4);
  globalFeatures(obs, glob);
  const durs = window.map((i) => obs.tasks[i]!.estDurationMs);
  const statics = new Float32Array(obs.agents.length * AGENT_STATIC.length);
  obs.agents.forEach((a, i) => {
    agentStatic(a, statics, i * AGENT_STATIC.length);
  });
  // pairs as parallel arrays: task index, agent index, and per task its ranks, feasible share and max capable speed
  const pairTask: number[] = [];
  const pairAgent: number[] = [];
  const perTask = new Map<
    number,
    { durRank: number; ageRank: number; feasibleShare: number; maxSpeed: number; stat: Float32Array }
  >();
  for (let w = 0; w < window.length; w++) {
    const ti = window[w]!;
    const task = obs.tasks[ti]!;
    let capable = 0;
    let maxSpeed = 0;
    const before = pairTask.length;
    for (let ai = 0; ai < obs.agents.length; ai++) {
      const agent = obs.agents[ai]!;
      if (!agent.capabilities.includes(task.capability)) continue;
      capable++;
      maxSpeed = Math.max(maxSpeed, agent.speed);
      if (fits(task, agent)) {
        pairTask.push(ti);
        pairAgent.push(ai);
      }
    }
    let shorter = 0;
    for (const d of durs) if (d < task.estDurationMs) shorter++;
    perTask.set(ti, {
      durRank: window.length > 1 ? shorter / (window.length - 1) : 0,
      ageRank: window.length > 1 ? w / (window.length - 1) : 0,
      feasibleShare: capable > 0 ? (pairTask.length - before) / capable : 0,
      maxSpeed,
      stat: taskStatic(obs, task),
    });
  }
  const nPairs = pairTask.length;
  const offerWait = (withWait && obs.agents.some((a) => a.running > 0)) || nPairs === 0;
  const rows = nPairs + (offerWait ? 1 : 0);
  const features = new Float32Array(rows * FEATURE_COUNT);
  const taskIndex = new Int32Array(rows);
  const agentIndex = new Int32Array(rows);
  const S = AGENT_STATIC.length;
  for (let r = 0; r < nPairs; r++) {
    const ti = pairTask[r]!;
    const ai = pairAgent[r]!;
    const pt = perTask.get(ti)!;
    const row = r * FEATURE_COUNT;
    writePair(obs, obs.tasks[ti]!, pt.stat, obs.agents[ai]!, pt.maxSpeed, features, row);
    features[row + 10] = pt.durRank;
    features[row + 11] = pt.ageRank;
    const so = ai * S;
    // unrolled copies of AGENT_STATIC (15, 16, 18, 20..25) and the 4 globals: this loop is the hot path
    features[row + 15] = statics[so]!;
    features[row + 16] = statics[so + 1]!;
    features[row + 18] = statics[so + 2]!;
    features[row + 20] = statics[so + 3]!;
    features[row + 21] = statics[so + 4]!;
    features[row + 22] = statics[so + 5]!;
    features[row + 23] = statics[so + 6]!;
    features[row + 24] = statics[so + 7]!;
    features[row + 25] = statics[so + 8]!;
    features[row + GLOBAL_OFFSET] = glob[0]!;
    features[row + GLOBAL_OFFSET + 1] = glob[1]!;
    features[row + GLOBAL_OFFSET + 2] = glob[2]!;
    features[row + GLOBAL_OFFSET + 3] = glob[3]!;
    features[row + FEASIBLE_SHARE] = pt.feasibleShare;
    taskIndex[r] = ti;
    agentIndex[r] = ai;
  }
  let waitRow = -1;
  if (offerWait) {
    waitRow = nPairs;
    const row = features.subarray(waitRow * FEATURE_COUNT, (waitRow + 1) * FEATURE_COUNT);
    row.set(glob, GLOBAL_OFFSET);
    row[IS_WAIT] = 1;
    taskIndex[waitRow] = -1;
    agentIndex[waitRow] = -1;
  }
  return { features, rows, taskIndex, agentIndex, waitRow };
}

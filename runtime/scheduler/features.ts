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
const AGENT_STATIC = 9;

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

/** Per window task, the values every one of its rows shares (in doubles; rounded to float32 once, when written). */
const T_LOG_DUR = 0;
const T_WAIT = 1;
const T_PRIO = 2;
const T_HAS_DEADLINE = 3;
const T_ATTEMPTS = 4;
const T_DUR_RANK = 5;
const T_AGE_RANK = 6;
const T_MAX_SPEED = 7;

function taskStatic(o: Observation, t: TaskView, out: Float64Array): void {
  const est = Math.max(1, t.estDurationMs);
  out[T_LOG_DUR] = Math.log1p(est / 1000) / 5;
  out[T_WAIT] = Math.log1p(Math.max(0, o.nowMs - t.arrivalMs) / est) / 3;
  out[T_PRIO] = t.priority / 9;
  out[T_HAS_DEADLINE] = t.deadlineMs === undefined ? 0 : 1;
  out[T_ATTEMPTS] = Math.min(t.attempts, 5) / 5;
}

/**
 * One candidate row, every column written (the buffer is reused, so nothing may be left from an earlier decision):
 * task columns from `ts`, pair columns computed here, agent columns from `statics`, globals from `glob`.
 */
function writeRow(
  o: Observation,
  t: TaskView,
  ts: Float64Array,
  a: AgentView,
  st: Float32Array,
  so: number,
  glob: Float32Array,
  f: Float32Array,
  row: number,
) {
  const est = Math.max(1, t.estDurationMs);
  const speed = Math.max(1e-6, a.speed);
  const maxSpeed = ts[T_MAX_SPEED]!;
  const c: ResourceVector = a.capacity;
  const u: ResourceVector = a.used;
  const d: ResourceVector = t.demand;
  f[row] = ts[T_LOG_DUR]!;
  f[row + 1] = Math.log1p(est / speed / 1000) / 5;
  f[row + 2] = ts[T_WAIT]!;
  f[row + 3] = ts[T_PRIO]!;
  f[row + 4] = ts[T_HAS_DEADLINE]!;
  f[row + 5] = t.deadlineMs === undefined ? 0 : clip((t.deadlineMs - o.nowMs - est / speed) / est, -3, 3) / 3;
  f[row + 6] = ts[T_ATTEMPTS]!;
  f[row + 7] = share(d.cpu, c.cpu);
  f[row + 8] = share(d.memoryMb, c.memoryMb);
  f[row + 9] = share(d.bandwidthKbps, c.bandwidthKbps);
  f[row + 10] = ts[T_DUR_RANK]!;
  f[row + 11] = ts[T_AGE_RANK]!;
  f[row + 12] = share(c.cpu - u.cpu - d.cpu, c.cpu);
  f[row + 13] = share(c.memoryMb - u.memoryMb - d.memoryMb, c.memoryMb);
  f[row + 14] = share(c.bandwidthKbps - u.bandwidthKbps - d.bandwidthKbps, c.bandwidthKbps);
  f[row + 15] = st[so]!;
  f[row + 16] = st[so + 1]!;
  f[row + 17] = Math.log1p(Math.max(0, a.estFreeAtMs - o.nowMs) / est) / 3;
  f[row + 18] = st[so + 2]!;
  f[row + 19] = maxSpeed > 0 ? speed / maxSpeed : 1;
  f[row + 20] = st[so + 3]!;
  f[row + 21] = st[so + 4]!;
  f[row + 22] = st[so + 5]!;
  f[row + 23] = st[so + 6]!;
  f[row + 24] = st[so + 7]!;
  f[row + 25] = st[so + 8]!;
  f[row + GLOBAL_OFFSET] = glob[0]!;
  f[row + GLOBAL_OFFSET + 1] = glob[1]!;
  f[row + GLOBAL_OFFSET + 2] = glob[2]!;
  f[row + GLOBAL_OFFSET + 3] = glob[3]!;
  // FEASIBLE_SHARE is written once the task's feasible agents are counted
  f[row + IS_WAIT] = 0;
}

/** The agents having one capability, in observation order, and their max speed; computed once per observation. */
interface CapabilityGroup {
  stamp: number;
  agents: Int32Array;
  count: number;
  maxSpeed: number;
}

/** distinct capability strings remembered between decisions before the map is cleared (bounds its memory) */
const CAPABILITY_GROUPS_MAX = 1024;

/**
 * The extractor with its buffers: reused from one call to the next and grown to the largest size seen, so a decision
 * allocates (almost) nothing. The Candidates returned are views into those buffers, valid until the next call; copy
 * what must outlive it. Values are exactly those of `extractCandidates`, which copies them out of a shared instance.
 */
export class CandidateExtractor {
  private features = new Float32Array(0);
  private taskIdx = new Int32Array(0);
  private agentIdx = new Int32Array(0);
  private statics = new Float32Array(0);
  private win = new Int32Array(0);
  private readonly glob = new Float32Array(4);
  private readonly ts = new Float64Array(8);
  private readonly groups = new Map<string, CapabilityGroup>();
  private stamp = 0;
  private readonly out: Candidates = {
    features: this.features,
    rows: 0,
    taskIndex: this.taskIdx,
    agentIndex: this.agentIdx,
    waitRow: -1,
  };

  extract(obs: Observation, withWait = true, limits: CandidateLimits = DEFAULT_LIMITS): Candidates {
    this.stamp++;
    const agents = obs.agents;
    const nW = this.windowOf(obs.tasks, limits);
    const glob = this.glob;
    globalFeatures(obs, glob);
    if (this.statics.length < agents.length * AGENT_STATIC)
      this.statics = new Float32Array(agents.length * AGENT_STATIC);
    let anyRunning = false;
    for (let ai = 0; ai < agents.length; ai++) {
      const a = agents[ai]!;
      agentStatic(a, this.statics, ai * AGENT_STATIC);
      if (a.running > 0) anyRunning = true;
    }
    let r = 0;
    for (let w = 0; w < nW; w++) r = this.taskRows(obs, w, nW, r);
    const offerWait = (withWait && anyRunning) || r === 0;
    let waitRow = -1;
    if (offerWait) {
      this.ensureRows(r + 1);
      waitRow = r;
      const row = r * FEATURE_COUNT;
      this.features.fill(0, row, row + FEATURE_COUNT);
      this.features.set(glob, row + GLOBAL_OFFSET);
      this.features[row + IS_WAIT] = 1;
      this.taskIdx[r] = -1;
      this.agentIdx[r] = -1;
      r++;
    }
    return this.result(r, waitRow);
  }

  /** The rows of window task `w`, written from row `r`; returns the next free row. */
  private taskRows(obs: Observation, w: number, nW: number, r: number): number {
    const tasks = obs.tasks;
    const ti = this.win[w]!;
    const task = tasks[ti]!;
    const g = this.group(obs.agents, task.capability);
    const ts = this.ts;
    taskStatic(obs, task, ts);
    let shorter = 0;
    for (let k = 0; k < nW; k++) if (tasks[this.win[k]!]!.estDurationMs < task.estDurationMs) shorter++;
    ts[T_DUR_RANK] = nW > 1 ? shorter / (nW - 1) : 0;
    ts[T_AGE_RANK] = nW > 1 ? w / (nW - 1) : 0;
    ts[T_MAX_SPEED] = g.maxSpeed;
    this.ensureRows(r + g.count + 1);
    const f = this.features;
    const d = task.demand;
    const first = r;
    for (let k = 0; k < g.count; k++) {
      const ai = g.agents[k]!;
      const a = obs.agents[ai]!;
      const c = a.capacity;
      const u = a.used;
      // fits() without its capability test: the group holds only capable agents
      if (
        !(
          u.cpu + d.cpu <= c.cpu + 1e-9 &&
          u.memoryMb + d.memoryMb <= c.memoryMb + 1e-9 &&
          u.bandwidthKbps + d.bandwidthKbps <= c.bandwidthKbps + 1e-9
        )
      )
        continue;
      writeRow(obs, task, ts, a, this.statics, ai * AGENT_STATIC, this.glob, f, r * FEATURE_COUNT);
      this.taskIdx[r] = ti;
      this.agentIdx[r] = ai;
      r++;
    }
    const feasibleShare = g.count > 0 ? (r - first) / g.count : 0;
    for (let q = first; q < r; q++) f[q * FEATURE_COUNT + FEASIBLE_SHARE] = feasibleShare;
    return r;
  }

  /** The window into `this.win`; returns its length. */
  private windowOf(tasks: readonly TaskView[], limits: CandidateLimits): number {
    const n = tasks.length;
    const small = n <= limits.oldestTasksMax + limits.shortestTasksMax;
    const picked = small ? undefined : taskWindow(tasks, limits);
    const nW = picked ? picked.length : n;
    if (this.win.length < nW) this.win = new Int32Array(Math.max(nW, 2 * this.win.length));
    for (let w = 0; w < nW; w++) this.win[w] = picked ? picked[w]! : w;
    return nW;
  }

  private group(agents: readonly AgentView[], cap: string): CapabilityGroup {
    let g = this.groups.get(cap);
    if (g?.stamp === this.stamp) return g;
    if (!g) {
      if (this.groups.size >= CAPABILITY_GROUPS_MAX) this.groups.clear();
      g = { stamp: 0, agents: new Int32Array(agents.length), count: 0, maxSpeed: 0 };
      this.groups.set(cap, g);
    }
    if (g.agents.length < agents.length) g.agents = new Int32Array(agents.length);
    let count = 0;
    let maxSpeed = 0;
    for (let ai = 0; ai < agents.length; ai++) {
      const a = agents[ai]!;
      if (!a.capabilities.includes(cap)) continue;
      g.agents[count++] = ai;
      maxSpeed = Math.max(maxSpeed, a.speed);
    }
    g.stamp = this.stamp;
    g.count = count;
    g.maxSpeed = maxSpeed;
    return g;
  }

  /** Room for `rows` rows, keeping the rows already written; grows by doubling. */
  private ensureRows(rows: number): void {
    if (this.taskIdx.length >= rows) return;
    const cap = Math.max(rows, 2 * this.taskIdx.length, 16);
    const f = new Float32Array(cap * FEATURE_COUNT);
    f.set(this.features);
    this.features = f;
    const t = new Int32Array(cap);
    t.set(this.taskIdx);
    this.taskIdx = t;
    const a = new Int32Array(cap);
    a.set(this.agentIdx);
    this.agentIdx = a;
  }

  /** The views of the first `rows` rows; the same view objects while the row count and buffers repeat. */
  private result(rows: number, waitRow: number): Candidates {
    const o = this.out;
    if (o.rows !== rows || o.taskIndex.buffer !== this.taskIdx.buffer) {
      o.features = this.features.subarray(0, rows * FEATURE_COUNT);
      o.taskIndex = this.taskIdx.subarray(0, rows);
      o.agentIndex = this.agentIdx.subarray(0, rows);
      o.rows = rows;
    }
    o.waitRow = waitRow;
    return o;
  }
}

const shared = new CandidateExtractor();

/**
 * Every feasible (task, agent) pair of the task window, one feature row each, plus one "wait" row when `withWait` and
 * some agent is running a task (waiting in an idle system could only stall it), or when no pair is feasible.
 * Rows are ordered by task (arrival order) then agent (observation order), so the result is deterministic.
 * The arrays are the caller's own (copies); a hot path keeps a CandidateExtractor and uses its views instead.
 */
export function extractCandidates(
  obs: Observation,
  withWait = true,
  limits: CandidateLimits = DEFAULT_LIMITS,
): Candidates {
  const c = shared.extract(obs, withWait, limits);
  return {
    features: c.features.slice(),
    rows: c.rows,
    taskIndex: c.taskIndex.slice(),
    agentIndex: c.agentIndex.slice(),
    waitRow: c.waitRow,
  };
}

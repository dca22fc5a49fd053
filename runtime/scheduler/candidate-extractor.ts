// The feature extractor of the learned scheduler (the features themselves, their normalization and the schema hash are
// in features.ts). Training (models/rl), the TypeScript forward pass and the ONNX policy all call it, so the model sees
// in production exactly the features it was trained on. Buffers are reused between calls (high-water mark), capable
// agents are listed once per capability and observation; tests/rl/features-equivalence.test.ts pins it bit for bit to
// the first implementation.
import { CapabilityQueues, rankWithin } from './capability-context.js';
import {
  ALT_OFFSET,
  CAP_OFFSET,
  type CandidateLimits,
  type Candidates,
  DEFAULT_LIMITS,
  FEASIBLE_SHARE,
  FEATURE_COUNT,
  GLOBAL_OFFSET,
  IS_WAIT,
  taskWindow,
} from './features.js';
import type { AgentView, Observation, ResourceVector, TaskView } from './policy.js';

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

/** The agents having one capability, in observation order, their max and summed speed and how many run nothing. */
interface CapabilityGroup {
  stamp: number;
  agents: Int32Array;
  count: number;
  maxSpeed: number;
  speedSum: number;
  idle: number;
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
  private readonly queues = new CapabilityQueues();
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
    this.queues.update(obs.tasks);
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
    if (r > first) this.v2Columns(obs, task, g, first, r);
    return r;
  }

  /**
   * Schema-v2 columns of the task's rows first..r: its capability's queue and pool (the same for all its rows), then
   * each pair against the task's alternatives: the fastest agent it fits now, and the best finish when waiting for an
   * agent it fits only once that agent is empty.
   */
  private v2Columns(obs: Observation, task: TaskView, g: CapabilityGroup, first: number, r: number): void {
    const f = this.features;
    const q = this.queues.get(task.capability);
    const pressureS = q && g.speedSum > 0 ? q.workMs / g.speedSum / 1000 : 0;
    const cap0 = q ? Math.log1p(q.waiting) / 4 : 0;
    const cap1 = q ? rankWithin(q, task.estDurationMs) : 0;
    const cap2 = q ? Math.log1p(pressureS) / 5 : 0;
    const cap3 = q && g.count > 0 ? g.idle / g.count : 0;
    let maxFreeSpeed = 0;
    for (let row = first; row < r; row++) maxFreeSpeed = Math.max(maxFreeSpeed, obs.agents[this.agentIdx[row]!]!.speed);
    let waitAltMs = Number.POSITIVE_INFINITY;
    const d = task.demand;
    let next = first;
    for (let k = 0; k < g.count; k++) {
      const ai = g.agents[k]!;
      // agents with rows are those the task fits now, in group order
      if (next < r && this.agentIdx[next] === ai) {
        next++;
        continue;
      }
      const a = obs.agents[ai]!;
      const c = a.capacity;
      if (d.cpu > c.cpu + 1e-9 || d.memoryMb > c.memoryMb + 1e-9 || d.bandwidthKbps > c.bandwidthKbps + 1e-9) continue;
      const ms = Math.max(0, a.estFreeAtMs - obs.nowMs) + task.estDurationMs / Math.max(1e-6, a.speed);
      waitAltMs = Math.min(waitAltMs, ms);
    }
    const est = Math.max(1, task.estDurationMs);
    const waited = Math.max(0, obs.nowMs - task.arrivalMs);
    for (let row = first; row < r; row++) {
      const o = row * FEATURE_COUNT;
      const a = obs.agents[this.agentIdx[row]!]!;
      const runMs = est / Math.max(1e-6, a.speed);
      f[o + CAP_OFFSET] = cap0;
      f[o + CAP_OFFSET + 1] = cap1;
      f[o + CAP_OFFSET + 2] = cap2;
      f[o + CAP_OFFSET + 3] = cap3;
      f[o + ALT_OFFSET] = maxFreeSpeed > 0 ? a.speed / maxFreeSpeed : 1;
      f[o + ALT_OFFSET + 1] = Number.isFinite(waitAltMs)
        ? clip(Math.log2(Math.max(1e-6, waitAltMs) / runMs), -3, 3) / 3
        : 1;
      f[o + ALT_OFFSET + 2] = Math.log((waited + runMs) / est) / 3;
    }
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
      g = { stamp: 0, agents: new Int32Array(agents.length), count: 0, maxSpeed: 0, speedSum: 0, idle: 0 };
      this.groups.set(cap, g);
    }
    if (g.agents.length < agents.length) g.agents = new Int32Array(agents.length);
    let count = 0;
    let maxSpeed = 0;
    let speedSum = 0;
    let idle = 0;
    for (let ai = 0; ai < agents.length; ai++) {
      const a = agents[ai]!;
      if (!a.capabilities.includes(cap)) continue;
      g.agents[count++] = ai;
      maxSpeed = Math.max(maxSpeed, a.speed);
      speedSum += a.speed;
      if (a.running === 0) idle++;
    }
    g.stamp = this.stamp;
    g.count = count;
    g.maxSpeed = maxSpeed;
    g.speedSum = speedSum;
    g.idle = idle;
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

// Frozen copy of the feature extractor and greedy selection as they were before the allocation-free rewrite (commit d14b64d), kept only as the
// reference for features-equivalence.test.ts: the optimized extractor must produce bit-identical rows. Not used by
// any runtime code; do not "fix" it.
import { type CandidateLimits, type Candidates, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import type { AgentView, Observation, Placement, ResourceVector, TaskView } from '../../runtime/scheduler/policy.js';

const GLOBAL_OFFSET = 26;
const FEASIBLE_SHARE = 30;
const IS_WAIT = 31;

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
function taskWindow(tasks: readonly TaskView[], limits: CandidateLimits): number[] {
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
export function referenceExtractCandidates(obs: Observation, withWait = true, limits: CandidateLimits): Candidates {
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

// --- selection (runtime/scheduler/rl-select.ts at the same commit) ---

export function referenceRankRows(cands: Candidates, scores: ArrayLike<number>): number[] {
  const rows: number[] = [];
  for (let r = 0; r < cands.rows; r++) if (r !== cands.waitRow) rows.push(r);
  // ties broken by row order so the choice is deterministic
  rows.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return rows;
}

/** Placements chosen from `scores` (one per candidate row) and, per placement, the row it came from. */
export function referenceSelectPlacements(
  obs: Observation,
  cands: Candidates,
  scores: ArrayLike<number>,
): { placements: Placement[]; rows: number[] } {
  if (scores.length < cands.rows)
    throw new RangeError(`selectPlacements: ${scores.length} scores for ${cands.rows} rows`);
  const waitScore = cands.waitRow >= 0 ? scores[cands.waitRow]! : Number.NEGATIVE_INFINITY;
  // resources committed in this decision, per agent index; copied on first use only
  const used = new Map<number, { cpu: number; memoryMb: number; bandwidthKbps: number }>();
  const placedTask = new Set<number>();
  // rows are grouped by task (features.ts), so distinct tasks = changes of taskIndex along the pair rows
  let tasksInRows = 0;
  for (let r = 0; r < cands.rows; r++) {
    if (r !== cands.waitRow && (r === 0 || cands.taskIndex[r] !== cands.taskIndex[r - 1])) tasksInRows++;
  }
  if (tasksInRows === 1) return bestSingle(obs, cands, scores, waitScore);
  const placements: Placement[] = [];
  const rows: number[] = [];
  for (const r of referenceRankRows(cands, scores)) {
    if (!(scores[r]! > waitScore) || placedTask.size === tasksInRows) break;
    const ti = cands.taskIndex[r]!;
    const ai = cands.agentIndex[r]!;
    if (placedTask.has(ti)) continue;
    const task = obs.tasks[ti]!;
    const agent = obs.agents[ai]!;
    let u = used.get(ai);
    if (!u) {
      u = { ...agent.used };
      used.set(ai, u);
    }
    const d = task.demand;
    const c = agent.capacity;
    if (u.cpu + d.cpu > c.cpu + 1e-9 || u.memoryMb + d.memoryMb > c.memoryMb + 1e-9) continue;
    if (u.bandwidthKbps + d.bandwidthKbps > c.bandwidthKbps + 1e-9) continue;
    u.cpu += d.cpu;
    u.memoryMb += d.memoryMb;
    u.bandwidthKbps += d.bandwidthKbps;
    placedTask.add(ti);
    placements.push({ taskId: task.id, agentId: agent.id });
    rows.push(r);
  }
  return { placements, rows };
}

/**
 * One task in the window: its best-scored row, no sort. Every pair row was feasible when extracted and nothing else
 * is committed in this decision, so the argmax (first row on ties, like rankRows) is the sorted path's answer.
 */
function bestSingle(obs: Observation, cands: Candidates, scores: ArrayLike<number>, waitScore: number) {
  let best = -1;
  for (let r = 0; r < cands.rows; r++) {
    if (r !== cands.waitRow && (best < 0 || scores[r]! > scores[best]!)) best = r;
  }
  if (best < 0 || !(scores[best]! > waitScore)) return { placements: [] as Placement[], rows: [] as number[] };
  const placement = { taskId: obs.tasks[cands.taskIndex[best]!]!.id, agentId: obs.agents[cands.agentIndex[best]!]!.id };
  return { placements: [placement], rows: [best] };
}

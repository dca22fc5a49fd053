// A lower bound on the mean slowdown ANY policy can reach on one scenario, even one that knows the whole future
// (arrivals, exact durations, failures). Two valid arguments; the bound is the larger per task group.
//
// 1. Per task (trivial): a task finishes no earlier than arrival + its shortest possible run, the minimum over the
//    agents it can run on (capability, capacity fits) of work / speed x (1 + link penalty). Failures only add.
//
// 2. Fluid capacity (per capability group G and resource r): let S be the agents that can run some task of G. A task
//    j holding d_jr of r on agent a for work_j / speed_a x link ms processes W_j = d_jr x work_j "resource-work" (the
//    unit of models/workloads/load.ts) at rate d_jr x speed_a / link; the tasks on a hold at most cap_ar, so at any
//    instant all tasks of G together process at most R = sum over S of cap_ar x speed_a. Ignoring the other groups'
//    use of S, failures, packing and every attempt but the last only loosens this. So every schedule gives the tasks
//    of G a divisible single-machine schedule of rate R with release dates (p_j = W_j / R), and for weights
//    w_j = 1 / ideal_j the sum of w_j x M_j (M_j: mean busy time of j's last attempt) is at least its minimum over
//    all such schedules, which the preemptive WSPT rule attains (largest w_j / p_j first; Goemans 1997; Goemans,
//    Queyranne, Schulz, Skutella, Wang 2002: it solves the mean-busy-time LP, whose feasible set holds every
//    divisible schedule). The last attempt runs at a constant rate for at least ideal_j ms, so finish_j >=
//    M_j + ideal_j / 2. Hence sum_G (finish_j - arrival_j) / ideal_j >= sum_G w_j (M_j^WSPT + ideal_j / 2 - arrival_j).
//    Tasks with d_jr = 0 take no capacity of r and keep their per-task bound (argument 1).
// Groups (capabilities) are disjoint task sets, so the per-group maxima add; the whole system (all tasks, all agents)
// is one more valid group, and the larger of the two totals is the bound.
import { idealDurationMs, type Scenario, type ScenarioAgent, type ScenarioTask } from '../../../models/sim/scenario.js';
import type { ResourceVector } from '../../../runtime/scheduler/policy.js';

const RESOURCES: readonly (keyof ResourceVector)[] = ['cpu', 'memoryMb', 'bandwidthKbps'];

export interface SlowdownBound {
  /** mean over tasks of the per-task bound (argument 1) */
  trivial: number;
  /** mean over tasks of the bound: per group the larger of arguments 1 and 2, or the whole-system fluid bound */
  bound: number;
}

function canRun(a: ScenarioAgent, t: ScenarioTask): boolean {
  return (
    a.capabilities.includes(t.capability) &&
    t.demand.cpu <= a.capacity.cpu &&
    t.demand.memoryMb <= a.capacity.memoryMb &&
    t.demand.bandwidthKbps <= a.capacity.bandwidthKbps
  );
}

/** The shortest run of t over the agents it can run on, link penalty included, ms. */
export function shortestRunMs(s: Scenario, t: ScenarioTask): number {
  let best = Number.POSITIVE_INFINITY;
  for (const a of s.agents) {
    if (!canRun(a, t)) continue;
    const bwShare = a.capacity.bandwidthKbps > 0 ? t.demand.bandwidthKbps / a.capacity.bandwidthKbps : 0;
    const run = ((t.estDurationMs * t.durationFactor) / a.speed) * (1 + (1 - a.linkQuality) * bwShare);
    best = Math.min(best, run);
  }
  return best;
}

export interface FluidJob {
  releaseMs: number;
  /** processing time on the fluid machine, ms (> 0) */
  p: number;
  weight: number;
}

/**
 * Minimum of sum w_j x M_j over divisible single-machine schedules with release dates: the preemptive WSPT schedule
 * (always the released job with the largest w / p). Returns the weighted sum of mean busy times.
 */
export function wsptMeanBusy(jobs: readonly FluidJob[]): number {
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[a]!.releaseMs - jobs[b]!.releaseMs);
  const ratio = (j: number) => jobs[j]!.weight / jobs[j]!.p;
  const heap: number[] = []; // max-heap of job indices by ratio
  const left = Float64Array.from(jobs, (j) => j.p);
  const moment = new Float64Array(jobs.length); // integral of t over the job's busy time
  const push = (j: number) => {
    heap.push(j);
    for (let k = heap.length - 1; k > 0; ) {
      const up = (k - 1) >> 1;
      if (ratio(heap[up]!) >= ratio(heap[k]!)) break;
      [heap[up], heap[k]] = [heap[k]!, heap[up]!];
      k = up;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let k = 0; ; ) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < heap.length && ratio(heap[l]!) > ratio(heap[m]!)) m = l;
        if (r < heap.length && ratio(heap[r]!) > ratio(heap[m]!)) m = r;
        if (m === k) break;
        [heap[m], heap[k]] = [heap[k]!, heap[m]!];
        k = m;
      }
    }
    return top;
  };
  let next = 0;
  let now = 0;
  while (next < order.length || heap.length > 0) {
    if (heap.length === 0) now = Math.max(now, jobs[order[next]!]!.releaseMs);
    while (next < order.length && jobs[order[next]!]!.releaseMs <= now) push(order[next++]!);
    const j = pop();
    const until = next < order.length ? jobs[order[next]!]!.releaseMs : Number.POSITIVE_INFINITY;
    const run = Math.min(left[j]!, until - now);
    moment[j]! += run * (now + run / 2);
    left[j]! -= run;
    now += run;
    if (left[j]! > 1e-12 * jobs[j]!.p) push(j);
  }
  let sum = 0;
  jobs.forEach((job, j) => {
    sum += (job.weight * moment[j]!) / job.p;
  });
  return sum;
}

/** Sum over `tasks` of the fluid bound on (finish - arrival) / ideal for resource r on `agents` (argument 2). */
function fluidSum(
  s: Scenario,
  tasks: readonly number[],
  agents: readonly ScenarioAgent[],
  r: keyof ResourceVector,
  per: readonly number[],
): number {
  let rate = 0;
  for (const a of agents) rate += a.capacity[r] * a.speed;
  let sum = 0;
  const jobs: FluidJob[] = [];
  for (const i of tasks) {
    const t = s.tasks[i]!;
    const ideal = idealDurationMs(s, t);
    const work = t.demand[r] * t.estDurationMs * t.durationFactor;
    if (work <= 0 || rate <= 0) {
      sum += per[i]!;
      continue;
    }
    const w = 1 / ideal;
    jobs.push({ releaseMs: t.arrivalMs, p: work / rate, weight: w });
    sum += w * (ideal / 2 - t.arrivalMs);
  }
  return sum + wsptMeanBusy(jobs);
}

export function slowdownBound(s: Scenario): SlowdownBound {
  const n = s.tasks.length;
  if (n === 0) return { trivial: 0, bound: 0 };
  const per = s.tasks.map((t) => shortestRunMs(s, t) / idealDurationMs(s, t));
  const groups = new Map<string, number[]>();
  s.tasks.forEach((t, i) => {
    const g = groups.get(t.capability) ?? [];
    g.push(i);
    groups.set(t.capability, g);
  });
  let byGroup = 0;
  for (const members of groups.values()) {
    const pool = s.agents.filter((a) => members.some((i) => canRun(a, s.tasks[i]!)));
    let best = members.reduce((acc, i) => acc + per[i]!, 0);
    for (const r of RESOURCES) best = Math.max(best, fluidSum(s, members, pool, r, per));
    byGroup += best;
  }
  const all = s.tasks.map((_, i) => i);
  let system = 0;
  for (const r of RESOURCES) system = Math.max(system, fluidSum(s, all, s.agents, r, per));
  const trivial = per.reduce((a, b) => a + b, 0) / n;
  return { trivial, bound: Math.max(byGroup, system) / n };
}

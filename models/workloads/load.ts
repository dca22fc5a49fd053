// Load = offered work / service capacity on the bottleneck. A task holds demand_r for estDurationMs x durationFactor /
// speed ms, so an agent serves cap_r x speed "resource-work" per ms. With arrival rate lambda (tasks/ms), for every
// resource r and for the whole system as well as every capability pool c (the tasks needing c against the agents
// offering c): lambda x E[demand_r x estDurationMs; tasks of the pool] / sum over the pool's agents of cap_r x speed.
// Load is the largest of these, so 1.0 is the rate at which the tightest pool or resource is exactly saturated.
// Pools overlap, so this is a necessary condition for stability, not a sufficient one; it ignores packing losses,
// link penalties, failures and battery downtime, so the usable capacity sits somewhat below 1.0 (see utilization).
import type { ResourceVector } from '../../runtime/scheduler/policy.js';
import type { ScenarioAgent, ScenarioTask } from '../sim/scenario.js';
import type { TaskClass } from './workload.js';

const RESOURCES = ['cpu', 'memoryMb', 'bandwidthKbps'] as const;

/** Sum over agents of capacity x speed per resource (resource-work per ms). */
export function serviceCapacity(agents: readonly ScenarioAgent[]): ResourceVector {
  const c = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };
  for (const a of agents) for (const r of RESOURCES) c[r] += a.capacity[r] * a.speed;
  return c;
}

/** Expected resource-work (demand x ms at speed 1) of one task drawn from the class mix. */
export function expectedWorkPerTask(classes: readonly TaskClass[]): ResourceVector {
  const total = classes.reduce((s, c) => s + c.weight, 0);
  const w = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };
  for (const c of classes) {
    for (const r of RESOURCES) {
      const meanDemand = (c.demand[r].min + c.demand[r].max) / 2;
      w[r] += (c.weight / total) * meanDemand * c.durationMs.mean;
    }
  }
  return w;
}

/** Arrival rate (tasks per ms) that offers `load` to these agents (see the header for the bottleneck rule). */
export function arrivalRateForLoad(
  load: number,
  agents: readonly ScenarioAgent[],
  classes: readonly TaskClass[],
): number {
  if (!(load > 0)) throw new TypeError(`load must be > 0, got ${load}`);
  const total = classes.reduce((s, c) => s + c.weight, 0);
  let bottleneck = worstRatio(expectedWorkPerTask(classes), serviceCapacity(agents));
  for (const cap of new Set(classes.map((c) => c.capability))) {
    const mine = classes.filter((c) => c.capability === cap);
    const share = mine.reduce((s, c) => s + c.weight, 0) / total;
    const work = expectedWorkPerTask(mine);
    for (const r of RESOURCES) work[r] *= share;
    const pool = agents.filter((a) => a.capabilities.includes(cap));
    bottleneck = Math.max(bottleneck, worstRatio(work, serviceCapacity(pool)));
  }
  if (!(bottleneck > 0)) throw new TypeError('workload demands no resource: load is undefined');
  return load / bottleneck;
}

function worstRatio(work: ResourceVector, cap: ResourceVector): number {
  let worst = 0;
  for (const r of RESOURCES) {
    if (work[r] > 0) worst = Math.max(worst, cap[r] > 0 ? work[r] / cap[r] : Number.POSITIVE_INFINITY);
  }
  return worst;
}

/** The load a realized task sequence offers over its arrival span: the largest of systemLoad and poolLoads. */
export function measuredLoad(agents: readonly ScenarioAgent[], tasks: readonly ScenarioTask[]): number {
  return Math.max(systemLoad(agents, tasks), ...Object.values(poolLoads(agents, tasks)));
}

/** Load over all agents, ignoring capabilities: sum of work / (capacity x arrival span), worst resource. */
export function systemLoad(agents: readonly ScenarioAgent[], tasks: readonly ScenarioTask[]): number {
  if (tasks.length < 2) return 0;
  const span = tasks.at(-1)!.arrivalMs - tasks[0]!.arrivalMs;
  if (!(span > 0)) return Number.POSITIVE_INFINITY;
  const cap = serviceCapacity(agents);
  let worst = 0;
  for (const r of RESOURCES) {
    let work = 0;
    for (const t of tasks) work += t.demand[r] * t.estDurationMs * t.durationFactor;
    if (cap[r] > 0) worst = Math.max(worst, work / (cap[r] * span));
  }
  return worst;
}

/** Load per capability pool: work of the tasks needing the capability over the capacity of the agents offering it. */
export function poolLoads(agents: readonly ScenarioAgent[], tasks: readonly ScenarioTask[]): Record<string, number> {
  const caps = new Set(tasks.map((t) => t.capability));
  const out: Record<string, number> = {};
  for (const c of caps) {
    const pool = agents.filter((a) => a.capabilities.includes(c));
    out[c] = systemLoad(
      pool,
      tasks.map((t) => (t.capability === c ? t : { ...t, demand: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 } })),
    );
  }
  return out;
}

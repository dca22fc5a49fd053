// Load = offered work / service capacity on the bottleneck resource. A task holds demand_r for
// estDurationMs x durationFactor / speed ms, so an agent serves cap_r x speed "resource-work" per ms. With arrival rate
// lambda (tasks/ms): load = max over r of lambda x E[demand_r x estDurationMs] / sum over agents of cap_r x speed.
// Ignores capability constraints, packing losses, link penalties, failures and battery downtime, so the usable
// capacity is below load 1.0 by a workload-dependent margin (see the bench's utilization column).
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

/** Arrival rate (tasks per ms) that offers `load` to these agents. */
export function arrivalRateForLoad(
  load: number,
  agents: readonly ScenarioAgent[],
  classes: readonly TaskClass[],
): number {
  if (!(load > 0)) throw new TypeError(`load must be > 0, got ${load}`);
  const cap = serviceCapacity(agents);
  const work = expectedWorkPerTask(classes);
  let bottleneck = 0;
  for (const r of RESOURCES) if (cap[r] > 0) bottleneck = Math.max(bottleneck, work[r] / cap[r]);
  if (!(bottleneck > 0)) throw new TypeError('workload demands no resource: load is undefined');
  return load / bottleneck;
}

/** The load a realized task sequence actually offers over its arrival span (sum of work / capacity x span). */
export function measuredLoad(agents: readonly ScenarioAgent[], tasks: readonly ScenarioTask[]): number {
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

/**
 * Load per capability pool: work of the tasks needing the capability over the capacity of the agents offering it.
 * Pools overlap (an agent offers several capabilities), so a pool's load is an upper bound on its pressure; a pool far
 * above the global load means capability constraints, not total capacity, limit the system.
 */
export function poolLoads(agents: readonly ScenarioAgent[], tasks: readonly ScenarioTask[]): Record<string, number> {
  const caps = new Set(tasks.map((t) => t.capability));
  const out: Record<string, number> = {};
  for (const c of caps) {
    const pool = agents.filter((a) => a.capabilities.includes(c));
    out[c] = measuredLoad(
      pool,
      tasks.map((t) => (t.capability === c ? t : { ...t, demand: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 } })),
    );
  }
  return out;
}

// A scenario is one realized world: the agents and the exact task sequence (arrival times, demands, duration noise)
// that every policy of a comparison sees. Workload generators and trace replay produce scenarios; the simulator
// consumes them. Plain JSON-serializable data.
import type { AgentView, ResourceVector } from '../../runtime/scheduler/policy.js';

export const SCENARIO_VERSION = 1;

export interface BatterySpec {
  /** state of charge at time 0, 0..1 */
  initialLevel: number;
  /** fraction of a full charge drained per hour while online and idle */
  idleDrainPerHour: number;
  /** extra fraction drained per hour at full cpu use (scaled by used.cpu / capacity.cpu) */
  busyDrainPerHour: number;
  /** fraction of a full charge regained per hour while docked */
  chargePerHour: number;
  /** level at which a docked agent comes back online, 0..1 */
  resumeLevel: number;
}

export interface FailureSpec {
  /** mean time between failures while up, ms (exponential) */
  mtbfMs: number;
  /** mean repair time, ms (exponential) */
  meanRepairMs: number;
}

export interface ScenarioAgent {
  id: string;
  kind: AgentView['kind'];
  capabilities: string[];
  capacity: ResourceVector;
  /** a task runs estDurationMs * durationFactor / speed ms here (times the link penalty) */
  speed: number;
  /** 0..1; a task's duration is multiplied by 1 + (1 - linkQuality) * demand.bandwidthKbps / capacity.bandwidthKbps */
  linkQuality: number;
  battery?: BatterySpec | undefined;
  failure?: FailureSpec | undefined;
}

export interface ScenarioTask {
  id: string;
  /** ms from the scenario start */
  arrivalMs: number;
  capability: string;
  demand: ResourceVector;
  /** estimate at speed 1.0, ms */
  estDurationMs: number;
  /** 0..9 */
  priority: number;
  /** absolute, ms from the scenario start */
  deadlineMs?: number | undefined;
  /** actual / estimated duration (estimation noise), > 0; 1 = estimate exact */
  durationFactor: number;
}

export interface Scenario {
  version: number;
  name: string;
  /** seeds the failure timelines; the task sequence is already realized */
  seed: number;
  /** offered load the tasks were generated for (see models/workloads/load.ts); informational */
  load: number;
  agents: ScenarioAgent[];
  /** sorted by arrivalMs */
  tasks: ScenarioTask[];
}

/**
 * The slowdown denominator: the task's actual work (estimate x noise) on the fastest agent that has the capability and
 * whose capacity fits the demand; link penalties are not included.
 */
export function idealDurationMs(s: Scenario, t: ScenarioTask): number {
  let best = 0;
  for (const a of s.agents) {
    const fits =
      a.capabilities.includes(t.capability) &&
      t.demand.cpu <= a.capacity.cpu &&
      t.demand.memoryMb <= a.capacity.memoryMb &&
      t.demand.bandwidthKbps <= a.capacity.bandwidthKbps;
    if (fits && a.speed > best) best = a.speed;
  }
  return (t.estDurationMs * t.durationFactor) / best;
}

/** Throws a TypeError naming the first field that is wrong. */
export function validateScenario(s: Scenario): void {
  if (s.version !== SCENARIO_VERSION)
    throw new TypeError(`scenario.version must be ${SCENARIO_VERSION}, got ${s.version}`);
  if (s.agents.length === 0) throw new TypeError('scenario.agents must not be empty');
  const ids = new Set<string>();
  for (const [i, a] of s.agents.entries()) {
    if (ids.has(a.id)) throw new TypeError(`scenario.agents[${i}].id duplicate "${a.id}"`);
    ids.add(a.id);
    if (!(a.speed > 0)) throw new TypeError(`scenario.agents[${i}].speed must be > 0`);
    if (!(a.linkQuality > 0 && a.linkQuality <= 1))
      throw new TypeError(`scenario.agents[${i}].linkQuality must be in (0,1]`);
  }
  let last = -Infinity;
  const taskIds = new Set<string>();
  for (const [i, t] of s.tasks.entries()) {
    if (taskIds.has(t.id)) throw new TypeError(`scenario.tasks[${i}].id duplicate "${t.id}"`);
    taskIds.add(t.id);
    if (!(t.arrivalMs >= last)) throw new TypeError(`scenario.tasks[${i}].arrivalMs must be sorted and finite`);
    last = t.arrivalMs;
    if (!(t.estDurationMs > 0)) throw new TypeError(`scenario.tasks[${i}].estDurationMs must be > 0`);
    if (!(t.durationFactor > 0)) throw new TypeError(`scenario.tasks[${i}].durationFactor must be > 0`);
    const fitsSomewhere = s.agents.some(
      (a) =>
        a.capabilities.includes(t.capability) &&
        t.demand.cpu <= a.capacity.cpu &&
        t.demand.memoryMb <= a.capacity.memoryMb &&
        t.demand.bandwidthKbps <= a.capacity.bandwidthKbps,
    );
    if (!fitsSomewhere)
      throw new TypeError(`scenario.tasks[${i}] (${t.id}) fits no agent's capacity with "${t.capability}"`);
  }
}

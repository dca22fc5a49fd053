// Where a policy's excess slowdown comes from. A task's slowdown - 1 splits exactly into four parts (plus one for
// tasks still unfinished when the run stopped), each in units of the task's ideal run time:
//   wait    first start - arrival                                   (queueing before the first placement)
//   reexec  last start - first start                                (attempts lost to failures or docking: the lost
//                                                                    progress and the waiting again)
//   speed   run time at the chosen agent's speed - ideal            (a slower agent than the fastest capable one)
//   link    finish - last start - run time at that speed            (the link penalty of the chosen agent)
// The simulator records each task's last start, agent and finish; the first start is recorded here, outside the
// simulator, from the placements the policy returns (a placement is applied at the observation's time or throws), so
// the simulator's hot path pays nothing for it.
import type { SimResult } from '../../../models/sim/result.js';
import { idealDurationMs, type Scenario } from '../../../models/sim/scenario.js';
import { type SimOptions, Simulator } from '../../../models/sim/simulator.js';
import type { Placement, Policy } from '../../../runtime/scheduler/policy.js';

/** A decision rule over the live simulator (a Policy reads only sim.observation(); the rollout teacher clones sim). */
export type Decide = (sim: Simulator) => readonly Placement[];

export interface TracedRun {
  result: SimResult;
  /** per task (arrival order): time of its first placement, ms; NaN when never placed */
  firstStartMs: Float64Array;
}

/** Per-run sums over tasks of each part of slowdown - 1 (divide by the task count for means). */
export interface ExcessParts {
  wait: number;
  reexec: number;
  speed: number;
  link: number;
  /** slowdown - 1 of tasks unfinished when the run stopped (counted up to the stop time) */
  unfinished: number;
}

export const PART_NAMES = ['wait', 'reexec', 'speed', 'link', 'unfinished'] as const;

export function policyDecide(policy: Policy): Decide {
  return (sim) => {
    const d = policy.decide(sim.observation());
    if (d instanceof Promise) throw new TypeError(`policy "${policy.name}" is async; the headroom bench runs sync`);
    return d;
  };
}

/** Runs `decide` over the scenario to the end, recording every task's first placement time. */
export function runTraced(scenario: Scenario, decide: Decide, options: SimOptions = {}): TracedRun {
  const sim = new Simulator(scenario, options);
  const index = new Map(scenario.tasks.map((t, i) => [t.id, i]));
  const firstStartMs = new Float64Array(scenario.tasks.length).fill(Number.NaN);
  while (!sim.done) {
    const now = sim.nowMs;
    const placements = decide(sim);
    for (const p of placements) {
      const i = index.get(p.taskId);
      if (i !== undefined && Number.isNaN(firstStartMs[i]!)) firstStartMs[i] = now;
    }
    sim.step(placements);
  }
  return { result: sim.result(), firstStartMs };
}

/** Pure run time of task i on agent a (no link penalty): the work at that agent's speed. */
function pureRunMs(s: Scenario, i: number, a: number): number {
  const t = s.tasks[i]!;
  return (t.estDurationMs * t.durationFactor) / s.agents[a]!.speed;
}

/** Per-task parts of slowdown - 1 (rows: PART_NAMES order), for tests and for sums. */
export function taskParts(s: Scenario, run: TracedRun, i: number): [number, number, number, number, number] {
  const t = s.tasks[i]!;
  const c = run.result.counters;
  const ideal = idealDurationMs(s, t);
  const finish = c.finishMs[i]!;
  if (Number.isNaN(finish)) return [0, 0, 0, 0, run.result.slowdown[i]! - 1];
  const first = run.firstStartMs[i]!;
  const last = c.startMs[i]!;
  const pure = pureRunMs(s, i, c.agentOf[i]!);
  return [
    (first - t.arrivalMs) / ideal,
    (last - first) / ideal,
    (pure - ideal) / ideal,
    (finish - last - pure) / ideal,
    0,
  ];
}

export function decompose(s: Scenario, run: TracedRun): ExcessParts {
  const sums: ExcessParts = { wait: 0, reexec: 0, speed: 0, link: 0, unfinished: 0 };
  for (let i = 0; i < s.tasks.length; i++) {
    const p = taskParts(s, run, i);
    PART_NAMES.forEach((name, k) => {
      sums[name] += p[k]!;
    });
  }
  return sums;
}

/** Adds b into a (pooling runs). */
export function addParts(a: ExcessParts, b: ExcessParts): ExcessParts {
  for (const name of PART_NAMES) a[name] += b[name];
  return a;
}

export function emptyParts(): ExcessParts {
  return { wait: 0, reexec: 0, speed: 0, link: 0, unfinished: 0 };
}

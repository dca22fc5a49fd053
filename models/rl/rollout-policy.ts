// One-step policy improvement by rollout (Bertsekas): at a decision point, each candidate decision (the base
// policy's own and small edits of it, rollout-candidates.ts) is applied to a clone of the live simulator, the base
// policy then decides alone up to a common end time, and the candidate with the least slowdown accrued by that time
// wins (the base decision on ties or within `margin`). Arrivals and duration noise are part of the scenario, so every
// candidate faces the same future (common random numbers) and the comparison is exact for that scenario: the rollout
// is clairvoyant. With `future` it is not: each of `samples` sampled futures (sampled-future.ts: fresh duration factors
// for waiting tasks, arrivals from an independent stream) is cloned once per candidate, and the scores are summed.
//
// Scoring is exact at the end time: each task that arrived before it counts (min(finish, end) - arrival) / ideal, the
// slowdown it accrued by then (what StepResult.slowdownCost sums), whatever decision point each rollout stopped at.
// Tasks still in the system at the end count only what they accrued ("slowdown so far", no terminal estimate).
//
// It needs the simulator, not only the observation, so it is not a Policy: it is a SimPolicy (decideWithSim), used by
// runWithSim here and by a trainer as a demonstrator. The base policy must be a pure function of the observation (the
// heuristics are); one with internal state (a PRNG) would be advanced by the rollouts.
import type { Observation, Placement, Policy } from '../../runtime/scheduler/policy.js';
import type { SimResult } from '../sim/result.js';
import type { Scenario } from '../sim/scenario.js';
import { type SimOptions, Simulator } from '../sim/simulator.js';
import { type CandidateKind, rolloutCandidates } from './rollout-candidates.js';
import type { FutureSampler } from './sampled-future.js';

/** A decision rule that reads the live simulator (and must leave it unchanged: it may only clone it). */
export interface SimPolicy {
  readonly name: string;
  /** The placements for `sim`'s pending decision (valid for sim.step); `sim` must not be stepped by the policy. */
  decideWithSim(sim: Simulator): readonly Placement[];
}

export interface RolloutKnobs {
  /** candidate decisions per decision point, the base decision included; 1 = the base policy itself. 1..64 */
  candidatesMax: number;
  /** base decisions simulated after the base candidate; where that rollout ends is every candidate's end time. 1..10k */
  horizonDecisions: number;
  /** fixed horizon in simulated ms instead (end = now + horizonMs); unset = use horizonDecisions */
  horizonMs?: number | undefined;
  /** an edit must beat the base decision's score by this fraction of it to be chosen, 0..1 */
  margin: number;
  /**
   * what a task still in the system at the end time adds: 'none' = only the slowdown accrued so far; 'remaining' =
   * also a lower bound on what it will still accrue (a running task: its remaining run time / ideal; a waiting one: 1)
   */
  terminal: 'none' | 'remaining';
}

/** 'remaining' beat 'none' on every workload and load of bench rollout-headroom (600 tasks, seeds 1..3) */
export const ROLLOUT_DEFAULTS: RolloutKnobs = {
  candidatesMax: 10,
  horizonDecisions: 40,
  margin: 1e-9,
  terminal: 'remaining',
};

/** A rollout that has not reached the end time after this many base decisions per horizon decision is cut there. */
const RUNAWAY_FACTOR = 20;

export interface RolloutStats {
  /** decision points seen */
  decisions: number;
  /** decision points with more than one candidate (rolled out) */
  rolledOut: number;
  /** decision points where an edit beat the base decision, per kind */
  chosen: Record<CandidateKind, number>;
  /** base-policy decisions simulated inside rollouts */
  simulatedDecisions: number;
  /** simulator clones made */
  clones: number;
  /** rollouts cut by the runaway bound before the end time */
  cut: number;
}

export class RolloutPolicy implements SimPolicy {
  readonly name: string;
  readonly knobs: RolloutKnobs;
  readonly stats: RolloutStats = {
    decisions: 0,
    rolledOut: 0,
    chosen: { base: 0, wait: 0, move: 0, extra: 0, none: 0 },
    simulatedDecisions: 0,
    clones: 0,
    cut: 0,
  };

  constructor(
    readonly base: Policy,
    knobs: Partial<RolloutKnobs> = {},
    /** rollouts over sampled futures (sampled-future.ts) instead of the scenario's own; scores summed over samples */
    readonly future?: { sampler: FutureSampler; samples: number } | undefined,
  ) {
    this.knobs = checkKnobs({ ...ROLLOUT_DEFAULTS, ...knobs });
    if (future && !(Number.isInteger(future.samples) && future.samples >= 1 && future.samples <= 64))
      throw new TypeError('RolloutPolicy: future.samples must be an integer in 1..64');
    this.name = future ? `rollout(${base.name}, ${future.samples} sampled futures)` : `rollout(${base.name})`;
  }

  decideWithSim(sim: Simulator): readonly Placement[] {
    const obs = sim.observation();
    const baseDecision = decideSync(this.base, obs);
    this.stats.decisions++;
    const candidates = rolloutCandidates(obs, baseDecision, this.knobs.candidatesMax);
    if (candidates.length === 1) return baseDecision;
    this.stats.rolledOut++;
    const lo = firstUnfinished(sim);
    const scores = new Float64Array(candidates.length);
    const samples = this.future?.samples ?? 1;
    for (let m = 0; m < samples; m++) {
      // every candidate of one sample faces the same future (common random numbers)
      const from = this.future ? this.future.sampler.sample(sim) : sim;
      let endMs = sim.nowMs + (this.knobs.horizonMs ?? Number.NaN);
      for (let i = 0; i < candidates.length; i++) {
        const c = this.rollout(from, candidates[i]!.placements, i === 0 && Number.isNaN(endMs), endMs);
        if (i === 0 && Number.isNaN(endMs)) endMs = c.nowMs;
        scores[i]! += accruedSlowdown(c, lo, endMs, this.knobs.terminal === 'remaining');
      }
    }
    let best = 0;
    for (let i = 1; i < candidates.length; i++)
      if (scores[i]! < scores[best]! && scores[i]! < scores[0]! * (1 - this.knobs.margin)) best = i;
    if (best > 0) this.stats.chosen[candidates[best]!.kind]++;
    return candidates[best]!.placements;
  }

  /** A clone with `first` applied and the base policy run up to `endMs` (or for horizonDecisions when `byCount`). */
  private rollout(sim: Simulator, first: readonly Placement[], byCount: boolean, endMs: number): Simulator {
    const c = sim.clone();
    this.stats.clones++;
    c.step(first);
    const h = this.knobs.horizonDecisions;
    const limit = byCount ? h : h * RUNAWAY_FACTOR;
    let n = 0;
    while (!c.done && (byCount || c.nowMs < endMs)) {
      if (n >= limit) {
        if (!byCount) this.stats.cut++;
        break;
      }
      c.step(decideSync(this.base, c.observation()));
      n++;
    }
    this.stats.simulatedDecisions += n;
    return c;
  }
}

function decideSync(policy: Policy, obs: Observation): readonly Placement[] {
  const d = policy.decide(obs);
  if (d instanceof Promise) throw new TypeError(`rollout: base policy "${policy.name}" is async; it must decide sync`);
  return d;
}

function checkKnobs(k: RolloutKnobs): RolloutKnobs {
  const bad = (field: string, want: string): never => {
    throw new TypeError(`RolloutKnobs.${field} must be ${want}`);
  };
  if (!Number.isInteger(k.candidatesMax) || k.candidatesMax < 1 || k.candidatesMax > 64)
    bad('candidatesMax', 'an integer in 1..64');
  if (!Number.isInteger(k.horizonDecisions) || k.horizonDecisions < 1 || k.horizonDecisions > 10_000)
    bad('horizonDecisions', 'an integer in 1..10000');
  if (k.horizonMs !== undefined && !(k.horizonMs > 0)) bad('horizonMs', '> 0 ms when set');
  if (!(k.margin >= 0 && k.margin <= 1)) bad('margin', 'in 0..1');
  if (k.terminal !== 'none' && k.terminal !== 'remaining') bad('terminal', "'none' or 'remaining'");
  return k;
}

/** Index of the oldest task not finished yet (tasks before it are done and score the same under every candidate). */
function firstUnfinished(sim: Simulator): number {
  const f = sim.c.finishMs;
  let i = 0;
  while (i < f.length && !Number.isNaN(f[i]!)) i++;
  return i;
}

/**
 * Sum over tasks from index `lo` that arrived before `endMs` of the slowdown accrued by `endMs`; with `remaining`, plus
 * a lower bound of what the tasks still in the system then will accrue (see RolloutKnobs.terminal).
 */
export function accruedSlowdown(sim: Simulator, lo: number, endMs: number, remaining = false): number {
  const tasks = sim.scenario.tasks;
  const { finishMs, startMs, agentOf } = sim.c;
  const ideal = sim.idealMs;
  let s = 0;
  for (let i = lo; i < tasks.length; i++) {
    const t = tasks[i]!;
    if (t.arrivalMs >= endMs) break;
    const f = finishMs[i]!;
    if (!Number.isNaN(f) && f <= endMs) {
      s += (f - t.arrivalMs) / ideal[i]!;
      continue;
    }
    s += (endMs - t.arrivalMs) / ideal[i]!;
    if (!remaining) continue;
    const start = startMs[i]!;
    // started by the end time: on its agent until start + run time (an attempt lost to a failure is not told apart)
    if (start <= endMs) s += Math.max(0, start + runMs(sim, i, agentOf[i]!) - endMs) / ideal[i]!;
    else s += 1;
  }
  return s;
}

/** The simulator's run time of task i on agent a (the rule in Simulator.start). */
function runMs(sim: Simulator, i: number, a: number): number {
  const t = sim.scenario.tasks[i]!;
  const s = sim.scenario.agents[a]!;
  const bwShare = s.capacity.bandwidthKbps > 0 ? t.demand.bandwidthKbps / s.capacity.bandwidthKbps : 0;
  return ((t.estDurationMs * t.durationFactor) / s.speed) * (1 + (1 - s.linkQuality) * bwShare);
}

/**
 * A Policy view of a SimPolicy bound to one live simulator, for code that calls `decide(obs)` (a trainer's
 * demonstrator): `obs` must be `sim`'s current observation (the same object sim.observation() returns), since the
 * decision is computed from the simulator, not from `obs`. Bind once per episode, after creating the simulator.
 */
export function bindSimulator(policy: SimPolicy, sim: Simulator): Policy {
  return {
    name: policy.name,
    decide(obs: Observation): readonly Placement[] {
      if (sim.done || obs !== sim.observation()) {
        throw new Error(`${policy.name}: decide(obs) needs the bound simulator's current observation`);
      }
      return policy.decideWithSim(sim);
    },
  };
}

/** Runs a SimPolicy over a scenario to the end (runPolicy for policies that read the simulator). */
export function runWithSim(scenario: Scenario, policy: SimPolicy, options: SimOptions = {}): SimResult {
  const sim = new Simulator(scenario, options);
  while (!sim.done) sim.step(policy.decideWithSim(sim));
  return sim.result();
}

/** The rollout of `base` over a whole scenario: its result and the rollout's counters. */
export function runRollout(
  scenario: Scenario,
  base: Policy,
  knobs: Partial<RolloutKnobs> = {},
  options: SimOptions = {},
  future?: RolloutPolicy['future'],
): { result: SimResult; stats: RolloutStats } {
  const policy = new RolloutPolicy(base, knobs, future);
  const result = runWithSim(scenario, policy, options);
  return { result, stats: policy.stats };
}

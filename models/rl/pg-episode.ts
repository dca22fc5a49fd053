// Policy-gradient episodes over the per-candidate scorer. The greedy decision of rl-select.ts (best score first, each
// task once, stop at the wait row) becomes a stochastic one: placements are drawn one after another from a softmax over
// the rows still valid (scores / temperature, the wait row meaning "stop"), so each decision has a log-probability
// whose gradient with respect to the scores is known in closed form:
//   d log pi / d score_r = sum over draws k of (1[r drawn at k] - p_k(r)) / temperature, over the rows valid at draw k.
// At a low temperature the draws are the greedy's order. An episode runs twice with the same sampling seed: the first
// pass records the decision times and the slowdown cost accrued after each decision (so the cost-to-go of every
// decision and the baselines from sibling episodes are known), the second replays it bit for bit and backpropagates.

import { CandidateExtractor } from '../../runtime/scheduler/candidate-extractor.js';
import { type Candidates, fits } from '../../runtime/scheduler/features.js';
import { type RlOptions, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import type { Observation, Placement } from '../../runtime/scheduler/policy.js';
import type { SimOptions } from '../sim/options.js';
import { optionsFor } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { Simulator } from '../sim/simulator.js';
import type { Mlp } from './mlp.js';
import { Rng } from './rng.js';

/** At most this many decisions per episode are recorded (a 2000-task run makes a few thousand). */
export const MAX_DECISIONS = 200_000;

export interface SampledDecision {
  placements: Placement[];
  /** per row, d log pi / d score (zero for rows never valid) */
  dScore: Float32Array;
  /** the rows drawn, in order (the wait row last when it was drawn) */
  rows: number[];
  /** log pi of the draws */
  logProb: number;
}

/** Draws one decision's placements from the scores (see the file comment); `forced` replays given draws instead. */
export function sampleDecision(
  obs: Observation,
  cands: Candidates,
  scores: ArrayLike<number>,
  temperature: number,
  rng: Rng,
  forced?: readonly number[],
): SampledDecision {
  const rows = cands.rows;
  const dScore = new Float32Array(rows);
  const valid = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) valid[r] = 1;
  const used = new Map<number, { cpu: number; memoryMb: number; bandwidthKbps: number }>();
  const placements: Placement[] = [];
  const drawnRows: number[] = [];
  let logProb = 0;
  const probs = new Float64Array(rows);
  for (;;) {
    let pairs = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < rows; r++) {
      if (!valid[r]) continue;
      if (r !== cands.waitRow) pairs++;
      if (scores[r]! > max) max = scores[r]!;
    }
    if (pairs === 0) break;
    let z = 0;
    for (let r = 0; r < rows; r++) {
      probs[r] = valid[r] ? Math.exp((scores[r]! - max) / temperature) : 0;
      z += probs[r]!;
    }
    let drawn = -1;
    if (forced) {
      drawn = forced[drawnRows.length] ?? -1;
      if (!valid[drawn])
        throw new RangeError(`sampleDecision: forced row ${drawn} is not valid at draw ${drawnRows.length}`);
    } else {
      let u = rng.next() * z;
      for (let r = 0; r < rows; r++) {
        if (!valid[r]) continue;
        drawn = r;
        u -= probs[r]!;
        if (u < 0) break;
      }
    }
    drawnRows.push(drawn);
    logProb += Math.log(probs[drawn]! / z);
    for (let r = 0; r < rows; r++) if (valid[r]) dScore[r]! -= probs[r]! / z / temperature;
    dScore[drawn]! += 1 / temperature;
    if (drawn === cands.waitRow) break;
    const ti = cands.taskIndex[drawn]!;
    const ai = cands.agentIndex[drawn]!;
    const task = obs.tasks[ti]!;
    const agent = obs.agents[ai]!;
    let u0 = used.get(ai);
    if (!u0) {
      u0 = { ...agent.used };
      used.set(ai, u0);
    }
    u0.cpu += task.demand.cpu;
    u0.memoryMb += task.demand.memoryMb;
    u0.bandwidthKbps += task.demand.bandwidthKbps;
    placements.push({ taskId: task.id, agentId: agent.id });
    // rows of the placed task go, and rows of this agent that no longer fit
    for (let r = 0; r < rows; r++) {
      if (!valid[r] || r === cands.waitRow) continue;
      if (cands.taskIndex[r] === ti) valid[r] = 0;
      else if (cands.agentIndex[r] === ai && !fits(obs.tasks[cands.taskIndex[r]!]!, { ...agent, used: u0 }))
        valid[r] = 0;
    }
  }
  return { placements, dScore, rows: drawnRows, logProb };
}

/** What the first pass of an episode records. */
export interface EpisodeRecord {
  /** simulated time of each decision */
  times: Float64Array;
  /** slowdown cost accrued from each decision to the next */
  costs: Float64Array;
  meanSlowdown: number;
}

/** Called at every decision that drew from the scores, with what backpropagation needs (the net's last forward). */
export type OnDecision = (index: number, dScore: Float32Array) => void;

/** One stochastic episode; deterministic from (net, scenario, seed, temperature). */
export function runSampledEpisode(
  net: Mlp,
  rl: RlOptions,
  scenario: Scenario,
  sim: SimOptions,
  seed: number,
  temperature: number,
  onDecision?: OnDecision,
): EpisodeRecord {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  // the free-time model the policy declares, unless the caller sets one (runPolicy's rule)
  const s = new Simulator(scenario, optionsFor(new RlTsPolicy(net, rl), sim));
  const extractor = new CandidateExtractor();
  const rng = new Rng(seed);
  const times: number[] = [];
  const costs: number[] = [];
  let total = 0;
  while (!s.done) {
    if (times.length >= MAX_DECISIONS) throw new RangeError(`episode passed ${MAX_DECISIONS} decisions`);
    const obs = s.observation();
    const index = times.length;
    times.push(s.nowMs);
    let placements: Placement[] = [];
    if (obs.tasks.length > 0 && obs.agents.length > 0) {
      const cands = extractor.extract(obs, rl.withWait, rl.limits);
      if (cands.rows > 0 && !(cands.rows === 1 && cands.waitRow === 0)) {
        const scores = net.forward(cands.features, cands.rows);
        const d = sampleDecision(obs, cands, scores, temperature, rng);
        placements = d.placements;
        onDecision?.(index, d.dScore);
      }
    }
    const r = s.step(placements);
    costs.push(r.slowdownCost);
    total += r.slowdownCost;
  }
  return {
    times: Float64Array.from(times),
    costs: Float64Array.from(costs),
    meanSlowdown: total / Math.max(1, scenario.tasks.length),
  };
}

/**
 * Discounted cost-to-go at every decision: D_t = c_t + exp(-(t_{t+1} - t_t) / horizon) D_{t+1}; a cost is charged at
 * its decision's time, so the discount reaches `horizonMs` of simulated time.
 */
export function costToGo(rec: EpisodeRecord, horizonMs: number): Float64Array {
  const n = rec.times.length;
  const d = new Float64Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const gap = t + 1 < n ? rec.times[t + 1]! - rec.times[t]! : 0;
    next = rec.costs[t]! + Math.exp(-gap / horizonMs) * next;
    d[t] = next;
  }
  return d;
}

/** An episode's discounted cost-to-go at any time: the next decision's, discounted back to `timeMs`. */
export function costToGoAt(rec: EpisodeRecord, d: Float64Array, timeMs: number, horizonMs: number): number {
  const times = rec.times;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < timeMs) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= times.length) return 0;
  return d[lo]! * Math.exp(-(times[lo]! - timeMs) / horizonMs);
}

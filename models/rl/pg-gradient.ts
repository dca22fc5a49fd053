// A policy-gradient estimate for the scorer (REINFORCE with per-decision credit; Williams 1992, as DeepRM used it for
// mean slowdown, Mao et al. 2016). Each scenario runs `episodes` times with different sampling seeds. A decision's
// advantage is its discounted cost-to-go minus the mean cost-to-go of the sibling episodes at the same simulated time
// (a time-based baseline: the same arrivals, other draws), normalized per scenario. The estimate is the gradient of
//   sum over decisions of advantage x log pi(decision)
// with respect to the weights; stepping against it makes costly decisions less likely.
import type { RlOptions } from '../../runtime/scheduler/policies/rl-policy.js';
import type { SimOptions } from '../sim/options.js';
import type { Scenario } from '../sim/scenario.js';
import type { Layer, Mlp } from './mlp.js';
import { costToGo, costToGoAt, type EpisodeRecord, runSampledEpisode } from './pg-episode.js';

export interface PgEstimateOptions {
  episodes: number;
  temperature: number;
  horizonMs: number;
  /** sampling seeds: seed + scenario index x episodes + episode */
  seed: number;
  sim?: SimOptions | undefined;
}

export interface PgEstimate {
  grads: Layer[];
  /** per scenario, the mean slowdown of its sampled episodes */
  meanSlowdown: number[];
  decisions: number;
}

/** Advantages of every episode's decisions against its siblings, normalized to unit spread over the scenario. */
export function advantages(recs: readonly EpisodeRecord[], horizonMs: number): Float64Array[] {
  if (recs.length < 2) throw new RangeError('advantages: a baseline needs at least 2 episodes per scenario');
  const d = recs.map((r) => costToGo(r, horizonMs));
  const out = recs.map((rec, e) => {
    const a = new Float64Array(rec.times.length);
    for (let t = 0; t < a.length; t++) {
      let b = 0;
      for (let o = 0; o < recs.length; o++) if (o !== e) b += costToGoAt(recs[o]!, d[o]!, rec.times[t]!, horizonMs);
      a[t] = d[e]![t]! - b / (recs.length - 1);
    }
    return a;
  });
  let ss = 0;
  let n = 0;
  for (const a of out) {
    for (const x of a) ss += x * x;
    n += a.length;
  }
  const scale = n > 0 && ss > 0 ? 1 / Math.sqrt(ss / n) : 1;
  for (const a of out) for (let t = 0; t < a.length; t++) a[t]! *= scale;
  return out;
}

function addInto(acc: Layer[], g: Layer[]): void {
  for (let l = 0; l < acc.length; l++) {
    const a = acc[l]!;
    const b = g[l]!;
    for (let i = 0; i < a.w.length; i++) a.w[i]! += b.w[i]!;
    for (let i = 0; i < a.b.length; i++) a.b[i]! += b.b[i]!;
  }
}

/** The gradient estimate over `scenarios` (mean over decisions). */
export function pgEstimate(net: Mlp, rl: RlOptions, scenarios: readonly Scenario[], o: PgEstimateOptions): PgEstimate {
  const grads = net.zeroGrads();
  const sim = o.sim ?? {};
  const meanSlowdown: number[] = [];
  let decisions = 0;
  scenarios.forEach((sc, i) => {
    const seeds = Array.from({ length: o.episodes }, (_, e) => o.seed + i * o.episodes + e);
    const recs = seeds.map((seed) => runSampledEpisode(net, rl, sc, sim, seed, o.temperature));
    meanSlowdown.push(recs.reduce((s, r) => s + r.meanSlowdown, 0) / recs.length);
    const adv = advantages(recs, o.horizonMs);
    seeds.forEach((seed, e) => {
      const a = adv[e]!;
      const replay = runSampledEpisode(net, rl, sc, sim, seed, o.temperature, (t, dScore) => {
        const dOut = new Float32Array(dScore.length);
        for (let r = 0; r < dOut.length; r++) dOut[r] = a[t]! * dScore[r]!;
        addInto(grads, net.backward(dOut));
      });
      if (replay.times.length !== recs[e]!.times.length)
        throw new Error(
          `pg: the replay of episode ${seed} diverged (${replay.times.length} decisions, not ${recs[e]!.times.length})`,
        );
      decisions += a.length;
    });
  });
  const k = 1 / Math.max(1, decisions);
  for (const g of grads) {
    for (let i = 0; i < g.w.length; i++) g.w[i]! *= k;
    for (let i = 0; i < g.b.length; i++) g.b[i]! *= k;
  }
  return { grads, meanSlowdown, decisions };
}

export function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

// How much of an ES gradient estimate is signal, around a given network and for given perturbation sizes:
//   node --import tsx models/rl/es-snr.ts [--weights W.json] [--card C.json] [--sigmas 0.01,0.03] [--directions 16]
//     [--workload train-v1] [--seed 5]
// For each sigma, draws DIRECTIONS Gaussian directions (the same ones for every sigma) and measures each one's
// antithetic difference (f(theta + sigma e) - f(theta - sigma e)) / f(theta) on two disjoint halves of 10 training
// scenarios (seeds 700..709, loads 0.7..1.5). The correlation across directions between the two halves' differences is
// the share of the estimate that is signal: near 0, the finite difference is the simulation's noise (a generation's
// step is a random walk); near 1, it is the objective's slope. `curvature` is the mean over directions and scenarios
// of (f+ + f-) / 2 / f - 1: how much the perturbation itself costs (> 0 at a minimum; ES minimizes the objective
// smoothed at sigma, which is this much worse than the network it perturbs). One JSON line per sigma.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type RlOptions, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { runPolicy } from '../sim/run.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { flatten, unflattenInto } from './es-tune.js';
import { Mlp } from './mlp.js';
import { Rng } from './rng.js';

const SHIPPED = new URL('../shipped/', import.meta.url).pathname;
const SEEDS = [700, 701, 702, 703, 704, 705, 706, 707, 708, 709];
const LOADS = [0.7, 0.9, 1.1, 1.3, 1.5];

/** Pearson correlation of two equally long samples (NaN when either is constant). */
export function correlation(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new RangeError('correlation: two samples of the same length >= 2');
  const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

function main(): void {
  const { values: v } = parseArgs({
    options: {
      weights: { type: 'string', default: join(SHIPPED, 'scheduler.weights.json') },
      card: { type: 'string', default: join(SHIPPED, 'scheduler.card.json') },
      sigmas: { type: 'string', default: '0.01,0.03' },
      directions: { type: 'string', default: '16' },
      workload: { type: 'string', default: 'train-v1' },
      seed: { type: 'string', default: '5' },
    },
  });
  const sigmas = v.sigmas!.split(',').map(Number);
  const directions = Number(v.directions);
  if (sigmas.some((s) => !(s > 0))) throw new TypeError(`--sigmas: positive numbers, got ${v.sigmas}`);
  if (!(Number.isInteger(directions) && directions >= 3)) throw new TypeError('--directions: an integer >= 3');
  const seed = Number(v.seed);
  if (!Number.isInteger(seed)) throw new TypeError(`--seed: an integer, got ${v.seed}`);
  const card = JSON.parse(readFileSync(v.card!, 'utf8')) as RlOptions;
  const net = Mlp.fromJSON(JSON.parse(readFileSync(v.weights!, 'utf8')));
  const rl = { withWait: card.withWait, limits: card.limits };
  const w = loadWorkload(v.workload!);
  const scenarios = SEEDS.map((s, i) => generateScenario(w, { seed: s, load: LOADS[i % LOADS.length]! }));
  const theta = flatten(net);
  const fitness = (t: Float64Array) => {
    unflattenInto(net, t);
    return scenarios.map((s) => runPolicy(s, new RlTsPolicy(net, rl)).summary.meanSlowdown);
  };
  const f0 = fitness(theta);
  const half = scenarios.length / 2;
  const rng = new Rng(seed);
  const dirs = Array.from({ length: directions }, () => theta.map(() => rng.normal()));
  for (const sigma of sigmas) {
    const a: number[] = [];
    const b: number[] = [];
    let curvature = 0;
    for (const e of dirs) {
      const plus = fitness(theta.map((x, i) => x + sigma * e[i]!));
      const minus = fitness(theta.map((x, i) => x - sigma * e[i]!));
      const diff = plus.map((p, i) => (p - minus[i]!) / f0[i]!);
      a.push(diff.slice(0, half).reduce((s, x) => s + x, 0) / half);
      b.push(diff.slice(half).reduce((s, x) => s + x, 0) / half);
      curvature += plus.reduce((s, p, i) => s + (p + minus[i]!) / 2 / f0[i]! - 1, 0) / scenarios.length;
    }
    const rms = (x: number[]) => Math.sqrt(x.reduce((s, y) => s + y * y, 0) / x.length);
    process.stdout.write(
      `${JSON.stringify({ sigma, directions, signalShare: correlation(a, b), rmsDifference: (rms(a) + rms(b)) / 2, curvature: curvature / directions })}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`es-snr: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

// Does a policy-gradient estimate around a network point somewhere the greedy policy improves?
//   node --import tsx models/rl/pg-check.ts [--weights W.json] [--card C.json] [--workload train-v1]
//     [--temperature 0.003] [--horizon-ms 40000] [--episodes 6] [--steps 0.0003,0.001,0.003]
// Estimates the gradient (pg-gradient.ts) on two disjoint sets of 5 training scenarios (seeds 702..706 and 707..711,
// one per load 0.7..1.5), prints their cosine (near 0: the estimate is noise), then steps the weights against their
// mean, per weight by step x sign (Adam's first step), and runs the greedy policy on 10 other scenarios (seeds
// 720..729): the mean change of mean slowdown against the unstepped network, per step. One JSON line each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type RlOptions, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { runPolicy } from '../sim/run.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { flatten, unflattenInto } from './es-tune.js';
import { Mlp } from './mlp.js';
import { cosine, pgEstimate } from './pg-gradient.js';

const SHIPPED = new URL('../shipped/', import.meta.url).pathname;
const LOADS = [0.7, 0.9, 1.1, 1.3, 1.5];

function positive(name: string, s: string | undefined): number {
  const x = Number(s);
  if (!(x > 0)) throw new TypeError(`--${name}: a positive number, got ${s}`);
  return x;
}

function main(): void {
  const { values: v } = parseArgs({
    options: {
      weights: { type: 'string', default: join(SHIPPED, 'scheduler.weights.json') },
      card: { type: 'string', default: join(SHIPPED, 'scheduler.card.json') },
      workload: { type: 'string', default: 'train-v1' },
      temperature: { type: 'string', default: '0.003' },
      'horizon-ms': { type: 'string', default: '40000' },
      episodes: { type: 'string', default: '6' },
      steps: { type: 'string', default: '0.0003,0.001,0.003' },
    },
  });
  const temperature = positive('temperature', v.temperature);
  const horizonMs = positive('horizon-ms', v['horizon-ms']);
  const episodes = positive('episodes', v.episodes);
  if (!(Number.isInteger(episodes) && episodes >= 2)) throw new TypeError('--episodes: an integer >= 2');
  const steps = v.steps!.split(',').map((s) => positive('steps', s));
  const card = JSON.parse(readFileSync(v.card!, 'utf8')) as RlOptions;
  const rl: RlOptions = { withWait: card.withWait, limits: card.limits };
  const net = Mlp.fromJSON(JSON.parse(readFileSync(v.weights!, 'utf8')));
  const w = loadWorkload(v.workload!);
  const set = (seeds: number[]) =>
    seeds.map((seed) => generateScenario(w, { seed, load: LOADS[seed % LOADS.length]! }));
  const opts = { episodes, temperature, horizonMs, seed: 1 };
  const t0 = Date.now();
  const a = flatten({ layers: pgEstimate(net, rl, set([702, 703, 704, 705, 706]), opts).grads });
  const b = flatten({ layers: pgEstimate(net, rl, set([707, 708, 709, 710, 711]), opts).grads });
  const line = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  line({ cosine: cosine(a, b), temperature, horizonMs, episodes, seconds: (Date.now() - t0) / 1000 });
  const theta = flatten(net);
  const held = set([720, 721, 722, 723, 724, 725, 726, 727, 728, 729]);
  const run = () => held.map((sc) => runPolicy(sc, new RlTsPolicy(net, rl)).summary.meanSlowdown);
  const base = run();
  for (const step of steps) {
    unflattenInto(
      net,
      theta.map((x, i) => x - step * Math.sign(a[i]! + b[i]!)),
    );
    const f = run();
    const change = f.reduce((s, x, i) => s + x / base[i]!, 0) / f.length - 1;
    line({ step, greedyChange: change });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`pg-check: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

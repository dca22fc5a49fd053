// `node --import tsx models/rl/select-checkpoint.ts CKPT...`: compares the best networks of several training runs on
// the selection seeds (tuning range, disjoint from training, validation and reporting seeds) of the training workload,
// printing one JSON line per run and the winner. Shifted workloads are never used here, so they stay unseen.

import { RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { Mlp } from './mlp.js';
import { loadCheckpoint, validate } from './trainer.js';

export const SELECTION_SEEDS = [13, 14, 15];
export const SELECTION_LOADS = [0.7, 1.1, 1.5];

const paths = process.argv.slice(2);
if (paths.length === 0) {
  process.stderr.write('usage: select-checkpoint.ts CKPT...\n');
  process.exit(2);
}
const w = loadWorkload('train-v1');
const o = {
  valSeeds: SELECTION_SEEDS,
  valLoads: SELECTION_LOADS,
  scenario: (seed: number, load: number) => generateScenario(w, { seed, load }),
};
let best = { path: '', score: Number.POSITIVE_INFINITY };
for (const path of paths) {
  const ck = loadCheckpoint(path);
  const score = validate(new RlTsPolicy(Mlp.fromJSON(ck.best?.net ?? ck.dqn.online), ck.dqn.config.rl), o);
  process.stdout.write(`${JSON.stringify({ path, bestEpisode: ck.best?.episode, selectionMeanSlowdown: score })}\n`);
  if (score < best.score) best = { path, score };
}
process.stdout.write(`${JSON.stringify({ winner: best.path, selectionMeanSlowdown: best.score })}\n`);

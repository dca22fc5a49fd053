// `node --import tsx models/rl/select-checkpoint.ts CKPT...`: compares the best networks of several training runs (DQN
// or ES checkpoints, or a shipped model's weights file with its card beside it) on
// the selection seeds (tuning range, disjoint from training, validation and reporting seeds) of the training workload,
// printing one JSON line per run and the winner. Shifted workloads are never used here, so they stay unseen.

import { readFileSync } from 'node:fs';
import { type RlOptions, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { loadEsCheckpoint } from './es-tune.js';
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
/** The best network of a run and its candidate window. */
function networkOf(path: string): { policy: RlTsPolicy; best: number | undefined } {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { kind?: string; sizes?: unknown; layers?: unknown };
  if (json.kind === 'es') {
    const ck = loadEsCheckpoint(path);
    return { policy: new RlTsPolicy(Mlp.fromJSON(ck.best.net), ck.rl), best: ck.best.generation };
  }
  if (json.layers !== undefined) {
    const card = JSON.parse(readFileSync(path.replace(/\.weights\.json$/, '.card.json'), 'utf8')) as RlOptions;
    return {
      policy: new RlTsPolicy(Mlp.fromJSON(json as never), { withWait: card.withWait, limits: card.limits }),
      best: undefined,
    };
  }
  const ck = loadCheckpoint(path);
  return {
    policy: new RlTsPolicy(Mlp.fromJSON(ck.best?.net ?? ck.dqn.online), ck.dqn.config.rl),
    best: ck.best?.episode,
  };
}

for (const path of paths) {
  const { policy, best: bestAt } = networkOf(path);
  const score = validate(policy, o);
  process.stdout.write(`${JSON.stringify({ path, best: bestAt, selectionMeanSlowdown: score })}\n`);
  if (score < best.score) best = { path, score };
}
process.stdout.write(`${JSON.stringify({ winner: best.path, selectionMeanSlowdown: best.score })}\n`);

// `node --import tsx models/rl/select-checkpoint.ts [--seeds 13,14,15] [--loads 0.7,1.1,1.5] [--workload W]
//   [--free-time estimate|fitted] CKPT...`:
// compares the best networks of several training runs (DQN or ES checkpoints, ES snapshots of es.ts's DIR/nets, or a
// shipped model's weights file with its card beside it) on the selection seeds (tuning range, disjoint from training,
// validation and reporting seeds) of the training workload (train-v1, or a member of the training family,
// models/workloads/family/), printing one JSON line per run and the winner. The shifted workloads (mix-shift-*,
// bursty-*) are refused here, so they stay unseen.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type RlOptions, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { parseFreeTimeFlag } from '../sim/options.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { loadEsCheckpoint, readEsSnapshot } from './es-tune.js';
import { Mlp } from './mlp.js';
import { loadCheckpoint, validate } from './trainer.js';

export const SELECTION_SEEDS = [13, 14, 15];
export const SELECTION_LOADS = [0.7, 1.1, 1.5];

const { values: v, positionals: paths } = parseArgs({
  allowPositionals: true,
  options: {
    seeds: { type: 'string' },
    loads: { type: 'string' },
    workload: { type: 'string', default: 'train-v1' },
    'free-time': { type: 'string', default: 'estimate' },
  },
});
const sim = { freeTime: parseFreeTimeFlag(v['free-time']) };
if (paths.length === 0) {
  process.stderr.write(
    'usage: select-checkpoint.ts [--seeds 13,14,15] [--loads 0.7,1.1,1.5] [--workload W] [--free-time estimate|fitted] CKPT...\n',
  );
  process.exit(2);
}
function list(name: string, s: string | undefined, fallback: number[]): number[] {
  if (s === undefined) return fallback;
  const xs = s.split(',').map(Number);
  if (xs.some((x) => !Number.isFinite(x) || x <= 0)) throw new TypeError(`--${name}: positive numbers, got ${s}`);
  return xs;
}
const seeds = list('seeds', v.seeds, SELECTION_SEEDS);
// selection seeds come from the tuning range and never from training (100.., 600..999) or validation (11, 12)
if (seeds.some((s) => s < 13 || s > 99)) throw new RangeError(`--seeds: selection seeds are 13..99, got ${v.seeds}`);
if (/(^|\/)(mix-shift|bursty)[^/]*$/.test(v.workload!.replace(/\.json$/, ''))) {
  throw new RangeError(`--workload: ${v.workload} is a shifted workload, kept unseen; use train-v1 or a family member`);
}
const w = loadWorkload(v.workload!);
const o = {
  valSeeds: seeds,
  valLoads: list('loads', v.loads, SELECTION_LOADS),
  scenario: (seed: number, load: number) => generateScenario(w, { seed, load }),
};
let best = { path: '', score: Number.POSITIVE_INFINITY };
/** The best network of a run and its candidate window. */
function networkOf(path: string): { policy: RlTsPolicy; best: number | undefined } {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { kind?: string; sizes?: unknown; layers?: unknown };
  if (json.kind === 'es-snapshot') {
    const s = readEsSnapshot(path);
    return { policy: new RlTsPolicy(Mlp.fromJSON(s.net), s.rl), best: s.generation };
  }
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
  const score = validate(policy, o, sim);
  process.stdout.write(`${JSON.stringify({ path, best: bestAt, selectionMeanSlowdown: score })}\n`);
  if (score < best.score) best = { path, score };
}
process.stdout.write(`${JSON.stringify({ winner: best.path, selectionMeanSlowdown: best.score })}\n`);

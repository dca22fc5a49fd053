// Tunes the knobs of the strongest heuristics (tetris, hungarian) on training seeds by grid search and writes
// runtime/scheduler/policies/tuned.json, which the scheduling benchmark reads. Budget: every grid configuration on
// every (seed, load) of the tuning set; objective: mean over those runs of mean slowdown (lower is better).
//   npm run bench -- scheduler-tune [--workload train-v1] [--seeds 1..3] [--loads 0.5,0.9,1.3] [--tasks N]
import { writeFileSync } from 'node:fs';
import { runPolicy } from '../models/sim/run.js';
import type { Scenario } from '../models/sim/scenario.js';
import { loadWorkload } from '../models/workloads/files.js';
import { generateScenario } from '../models/workloads/generate.js';
import type { PolicyOptions } from '../runtime/scheduler/policies/options.js';
import { createPolicy } from '../runtime/scheduler/policies/registry.js';
import { TUNED_PATH, TUNED_VERSION, type TunedFile } from '../runtime/scheduler/policies/tuned.js';
import { parseSeeds } from './lib/scheduler/args.js';

const GRIDS: Record<string, PolicyOptions[]> = {
  tetris: product({ srptWeight: [0, 0.5, 1, 2, 4, 8], speedWeight: [0, 0.5, 1, 2] }),
  hungarian: product({
    objective: ['finish', 'slowdown'],
    waitFactor: [1, 1.5, 3, 100],
    shortestShare: [0, 0.5, 0.75, 1],
  }),
};

function product(axes: Record<string, readonly (number | string)[]>): PolicyOptions[] {
  let out: Record<string, number | string>[] = [{}];
  for (const [k, values] of Object.entries(axes)) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out;
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function score(scenarios: readonly Scenario[], policy: string, options: PolicyOptions): number {
  let s = 0;
  for (const sc of scenarios) s += runPolicy(sc, createPolicy(policy, options)).summary.meanSlowdown;
  return s / scenarios.length;
}

function main(): void {
  const workload = loadWorkload(flag('--workload', 'train-v1'));
  const seeds = parseSeeds(flag('--seeds', '1..3'));
  if (seeds.some((s) => s >= 1000)) throw new Error('--seeds: tuning seeds must be below 1000 (reporting seeds)');
  const loads = flag('--loads', '0.5,0.9,1.3').split(',').map(Number);
  const taskCount = Number(flag('--tasks', String(workload.taskCount)));
  const scenarios = loads.flatMap((load) => seeds.map((seed) => generateScenario(workload, { load, seed, taskCount })));
  const out: TunedFile = {
    version: TUNED_VERSION,
    workload: workload.name,
    seeds,
    loads,
    taskCount,
    budget: `${Object.entries(GRIDS)
      .map(([p, g]) => `${p} ${g.length} configs`)
      .join(' + ')} x ${seeds.length} seeds x ${loads.length} loads = ${
      Object.values(GRIDS).reduce((s, g) => s + g.length, 0) * scenarios.length
    } runs`,
    objective: 'mean over tuning seeds and loads of mean slowdown',
    policies: {},
    scores: {},
  };
  for (const [policy, grid] of Object.entries(GRIDS)) {
    let best: PolicyOptions = {};
    let bestScore = Number.POSITIVE_INFINITY;
    for (const options of grid) {
      const s = score(scenarios, policy, options);
      process.stderr.write(`${policy} ${JSON.stringify(options)} ${s.toFixed(3)}\n`);
      if (s < bestScore) {
        bestScore = s;
        best = options;
      }
    }
    out.policies[policy] = best;
    out.scores[policy] = { chosen: round(bestScore), defaults: round(score(scenarios, policy, {})) };
  }
  writeFileSync(TUNED_PATH, `${JSON.stringify(out, null, 2)}\n`);
  console.error(`wrote ${TUNED_PATH} (format it with: npx biome format --write ${TUNED_PATH})`);
  console.log(JSON.stringify({ bench: 'scheduler-tune', ...out }));
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

main();

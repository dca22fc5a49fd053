// Random: each waiting task (arrival order) goes to a uniformly drawn feasible agent. Seeded, so a run is repeatable;
// create one instance per run, since the stream advances with every decision.
import { FreeTable } from '../feasibility.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { Rng } from '../prng.js';
import { OptionReader, type PolicyOptions } from './options.js';

export function randomPolicy(options: PolicyOptions = {}): Policy {
  const r = new OptionReader('random', options);
  const seed = r.number('seed', 1, 0, 2 ** 32 - 1);
  r.done();
  const rng = new Rng(seed);
  const feasible: number[] = [];
  return {
    name: 'random',
    decide(obs: Observation): Placement[] {
      const free = new FreeTable(obs);
      for (const task of obs.tasks) {
        if (!free.mayFit(task)) continue;
        feasible.length = 0;
        for (let j = 0; j < obs.agents.length; j++) if (free.canPlace(task, j)) feasible.push(j);
        if (feasible.length > 0) free.place(task, feasible[rng.int(feasible.length)]!);
      }
      return free.placements;
    },
  };
}

// FIFO first-fit: tasks in arrival order, each on the first agent (in observation order) where it is feasible.
// Non-blocking: a task that fits nowhere is skipped and later tasks may still go (backfilling).
import { FreeTable } from '../feasibility.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { OptionReader, type PolicyOptions } from './options.js';

export function fifoFirstFit(options: PolicyOptions = {}): Policy {
  new OptionReader('fifo', options).done();
  return {
    name: 'fifo',
    decide(obs: Observation): Placement[] {
      const free = new FreeTable(obs);
      const n = obs.agents.length;
      for (const task of obs.tasks) {
        if (!free.mayFit(task)) continue;
        for (let j = 0; j < n; j++) {
          if (free.canPlace(task, j)) {
            free.place(task, j);
            break;
          }
        }
      }
      return free.placements;
    },
  };
}

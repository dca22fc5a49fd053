// Shortest-job-first: waiting tasks by estimated duration (shortest first, then arrival), each on the feasible agent
// where it would finish earliest (now + estDurationMs / speed, i.e. the fastest feasible agent).
import { FreeTable } from '../feasibility.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { OptionReader, type PolicyOptions } from './options.js';

export function shortestJobFirst(options: PolicyOptions = {}): Policy {
  new OptionReader('sjf', options).done();
  return {
    name: 'sjf',
    decide(obs: Observation): Placement[] {
      const free = new FreeTable(obs);
      const order = obs.tasks.map((_, i) => i);
      order.sort((a, b) => obs.tasks[a]!.estDurationMs - obs.tasks[b]!.estDurationMs || a - b);
      for (const i of order) {
        const task = obs.tasks[i]!;
        if (!free.mayFit(task)) continue;
        let best = -1;
        for (let j = 0; j < obs.agents.length; j++) {
          if (free.canPlace(task, j) && (best < 0 || obs.agents[j]!.speed > obs.agents[best]!.speed)) best = j;
        }
        if (best >= 0) free.place(task, best);
      }
      return free.placements;
    },
  };
}

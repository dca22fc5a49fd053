// Least-loaded: each task in arrival order goes to the feasible agent whose dominant used share (max over cpu, memory,
// bandwidth of used/capacity, counting this decision's placements) is lowest; ties go to the faster agent.
import { FreeTable } from '../feasibility.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { OptionReader, type PolicyOptions } from './options.js';

export function leastLoaded(options: PolicyOptions = {}): Policy {
  new OptionReader('least-loaded', options).done();
  return {
    name: 'least-loaded',
    decide(obs: Observation): Placement[] {
      const free = new FreeTable(obs);
      for (const task of obs.tasks) {
        if (!free.mayFit(task)) continue;
        let best = -1;
        let bestShare = Number.POSITIVE_INFINITY;
        for (let j = 0; j < obs.agents.length; j++) {
          if (!free.canPlace(task, j)) continue;
          const share = free.dominantUsedShare(j);
          if (share < bestShare || (share === bestShare && obs.agents[j]!.speed > obs.agents[best]!.speed)) {
            best = j;
            bestShare = share;
          }
        }
        if (best >= 0) free.place(task, best);
      }
      return free.placements;
    },
  };
}

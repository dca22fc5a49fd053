// Round-robin: a cursor walks the agents (by id, so agents going offline do not reshuffle it); each task in arrival
// order goes to the next agent from the cursor where it is feasible, and the cursor moves past that agent.
import { FreeTable } from '../feasibility.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { OptionReader, type PolicyOptions } from './options.js';

export function roundRobin(options: PolicyOptions = {}): Policy {
  new OptionReader('round-robin', options).done();
  let lastId = '';
  return {
    name: 'round-robin',
    decide(obs: Observation): Placement[] {
      const free = new FreeTable(obs);
      const order = obs.agents
        .map((a, i) => ({ id: a.id, i }))
        .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      const n = order.length;
      if (n === 0) return [];
      for (const task of obs.tasks) {
        if (!free.mayFit(task)) continue;
        // first agent strictly after the last one used, wrapping around
        let start = order.findIndex((o) => o.id > lastId);
        if (start < 0) start = 0;
        for (let k = 0; k < n; k++) {
          const o = order[(start + k) % n]!;
          if (free.canPlace(task, o.i)) {
            free.place(task, o.i);
            lastId = o.id;
            break;
          }
        }
      }
      return free.placements;
    },
  };
}

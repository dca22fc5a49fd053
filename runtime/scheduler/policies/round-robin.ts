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
      const n = obs.agents.length;
      if (n === 0 || obs.tasks.length === 0) return free.placements;
      const order = obs.agents.map((_, i) => i);
      order.sort((x, y) => (obs.agents[x]!.id < obs.agents[y]!.id ? -1 : 1));
      // first agent strictly after the last one used, wrapping around
      let pos = order.findIndex((i) => obs.agents[i]!.id > lastId);
      if (pos < 0) pos = 0;
      for (const task of obs.tasks) {
        if (!free.mayFit(task)) continue;
        for (let k = 0; k < n; k++) {
          const j = order[(pos + k) % n]!;
          if (free.canPlace(task, j)) {
            free.place(task, j);
            lastId = obs.agents[j]!.id;
            pos = (pos + k + 1) % n;
            break;
          }
        }
      }
      return free.placements;
    },
  };
}

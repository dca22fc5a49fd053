// Heuristic policies by name for training (demonstrations) and evaluation; thin adapter over runtime/scheduler/policies.

import { fifoFirstFit } from '../../runtime/scheduler/policies/fifo-first-fit.js';
import { leastLoaded } from '../../runtime/scheduler/policies/least-loaded.js';
import { randomPolicy } from '../../runtime/scheduler/policies/random.js';
import { roundRobin } from '../../runtime/scheduler/policies/round-robin.js';
import { shortestJobFirst } from '../../runtime/scheduler/policies/shortest-job-first.js';
import type { Policy } from '../../runtime/scheduler/policy.js';

const FACTORIES: Record<string, () => Policy> = {
  'fifo-first-fit': () => fifoFirstFit(),
  'least-loaded': () => leastLoaded(),
  random: () => randomPolicy(),
  'round-robin': () => roundRobin(),
  sjf: () => shortestJobFirst(),
};

export function heuristicByName(name: string): Policy {
  const f = FACTORIES[name];
  if (!f) throw new TypeError(`unknown heuristic "${name}"; valid: ${Object.keys(FACTORIES).join(', ')}`);
  return f();
}

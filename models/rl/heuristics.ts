// Heuristic policies by name for training (demonstrations) and evaluation: the runtime's registry, with the tuned
// knobs when runtime/scheduler/policies/tuned.json exists, so "sjf" or "hungarian" here is the benchmark's baseline.

import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import { readTuned } from '../../runtime/scheduler/policies/tuned.js';
import type { Policy } from '../../runtime/scheduler/policy.js';

export function heuristicByName(name: string): Policy {
  return createPolicy(name, readTuned()?.policies[name] ?? {});
}

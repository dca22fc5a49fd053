// Policies by name. An unknown name throws listing the valid ones. Other modules (the ONNX policy) add theirs with
// registerPolicy; the benchmark and the gateway resolve names only through here.
import type { Policy } from '../policy.js';
import { fifoFirstFit } from './fifo-first-fit.js';
import { hungarianPolicy } from './hungarian-policy.js';
import { leastLoaded } from './least-loaded.js';
import type { PolicyOptions } from './options.js';
import { randomPolicy } from './random.js';
import { roundRobin } from './round-robin.js';
import { shortestJobFirst } from './shortest-job-first.js';
import { tetris } from './tetris.js';

export type PolicyFactory = (options?: PolicyOptions) => Policy;

const factories = new Map<string, PolicyFactory>([
  ['random', randomPolicy],
  ['fifo', fifoFirstFit],
  ['round-robin', roundRobin],
  ['least-loaded', leastLoaded],
  ['sjf', shortestJobFirst],
  ['tetris', tetris],
  ['hungarian', hungarianPolicy],
]);

/** Heuristic baselines shipped with the runtime, in the benchmark's default order. */
export const BASELINE_POLICIES: readonly string[] = [...factories.keys()];

export function policyNames(): string[] {
  return [...factories.keys()];
}

/** A fresh policy instance (policies may keep state across decisions of one run: create one per run). */
export function createPolicy(name: string, options: PolicyOptions = {}): Policy {
  const factory = factories.get(name);
  if (!factory) throw new TypeError(`unknown policy "${name}"; valid: ${policyNames().join(', ')}`);
  return factory(options);
}

export function registerPolicy(name: string, factory: PolicyFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TypeError(`registerPolicy: invalid name "${name}" (a-z, 0-9, -)`);
  if (factories.has(name)) throw new TypeError(`registerPolicy: "${name}" is already registered`);
  factories.set(name, factory);
}

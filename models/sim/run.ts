// Runs one policy over one scenario to the end.
import type { Policy } from '../../runtime/scheduler/policy.js';
import type { SimResult } from './result.js';
import type { Scenario } from './scenario.js';
import { type SimOptions, Simulator } from './simulator.js';

/**
 * The options a policy runs under: `options`, and when they set no freeTime, the policy's own (a learned model is
 * shown the free times it was trained with, as on the gateway).
 */
export function optionsFor(policy: Policy, options: SimOptions): SimOptions {
  return options.freeTime === undefined && policy.freeTime !== undefined
    ? { ...options, freeTime: policy.freeTime }
    : options;
}

/** Synchronous run; throws when the policy returns a Promise (use runPolicyAsync for those). */
export function runPolicy(scenario: Scenario, policy: Policy, options: SimOptions = {}): SimResult {
  const sim = new Simulator(scenario, optionsFor(policy, options));
  while (!sim.done) {
    const decision = policy.decide(sim.observation());
    if (decision instanceof Promise) throw new TypeError(`policy "${policy.name}" is async: use runPolicyAsync`);
    sim.step(decision);
  }
  return sim.result();
}

/** Run that awaits a policy's decision only when it is a Promise (the ONNX policy). */
export async function runPolicyAsync(scenario: Scenario, policy: Policy, options: SimOptions = {}): Promise<SimResult> {
  const sim = new Simulator(scenario, optionsFor(policy, options));
  while (!sim.done) {
    const decision = policy.decide(sim.observation());
    sim.step(decision instanceof Promise ? await decision : decision);
  }
  return sim.result();
}

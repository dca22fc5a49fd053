// Sampled futures for rollouts that do not see the scenario's future (rollout-policy.ts, `future` option). A sample is
// a clone of the live simulator (models/sim/clone.ts cloneWithFuture) in which
//   - every waiting task gets a fresh duration factor (lognormal, mean 1, the workload's noise sigma): a policy sees
//     only the estimate, so the factor is unknown until the task runs;
//   - every task that has not arrived is replaced by a task of an independent stream of the same workload (another
//     seed), taken from a random offset with its inter-arrival gaps kept and its deadline moved with it; ids stay.
// What a gateway would know stays as simulated: the tasks that arrived (their classes, demands, estimates), the running
// tasks' end times (the simulator's events hold them; a gateway sees elapsed time only, so this part is still known)
// and agent failures. Deterministic from the seed: each sample advances one PRNG.
import { Rng } from '../../runtime/scheduler/prng.js';
import { cloneWithFuture, taskState } from '../sim/clone.js';
import type { Scenario, ScenarioTask } from '../sim/scenario.js';
import type { Simulator } from '../sim/simulator.js';

export interface FutureSampler {
  /** A clone of `sim` with a freshly drawn future; `sim` is left unchanged. */
  sample(sim: Simulator): Simulator;
}

export class SampledFuture implements FutureSampler {
  private readonly rng: Rng;

  /**
   * @param stream an independent realization of the workload (another seed), its arrivals sorted; at least 2 tasks
   * @param durationSigma the workload's `noise.durationSigma` (0..3)
   */
  constructor(
    private readonly stream: Scenario,
    private readonly durationSigma: number,
    seed: number,
  ) {
    if (stream.tasks.length < 2) throw new TypeError('SampledFuture: stream.tasks must hold at least 2 tasks');
    if (!(durationSigma >= 0 && durationSigma <= 3))
      throw new TypeError('SampledFuture: durationSigma must be in 0..3');
    this.rng = new Rng(seed);
  }

  sample(sim: Simulator): Simulator {
    const tasks = sim.scenario.tasks;
    const src = this.stream.tasks;
    let k = this.rng.int(src.length);
    let at = sim.nowMs;
    const out: ScenarioTask[] = new Array(tasks.length);
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const state = taskState(sim, i);
      if (state !== 'future') {
        // arrived: a waiting task (never started, or back after a failure) draws a new factor
        out[i] = state === 'waiting' ? { ...t, durationFactor: this.rng.lognormal(1, this.durationSigma) } : t;
        continue;
      }
      const s = src[k]!;
      // the gap before stream task k (the first one of the stream has no predecessor: use its successor's gap)
      const gap = k > 0 ? s.arrivalMs - src[k - 1]!.arrivalMs : src[1]!.arrivalMs - src[0]!.arrivalMs;
      at += gap;
      const moved: ScenarioTask = { ...s, id: t.id, arrivalMs: at };
      if (s.deadlineMs !== undefined) moved.deadlineMs = s.deadlineMs - s.arrivalMs + at;
      out[i] = moved;
      k = (k + 1) % src.length;
    }
    return cloneWithFuture(sim, out);
  }
}

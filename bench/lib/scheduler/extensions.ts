// The hook through which other parts (the learned `rl` policy, issue 5) join the scheduling benchmark without editing
// it: add an extension to EXTENSIONS. Its policies run on the same scenarios as the baselines (so paired comparisons
// are valid) and its summarize() adds keys to the final JSON line (e.g. rl_gain_high_load via stats.pairedGain).
import { rlBenchExtension } from '../../../models/rl/bench-extension.js';
import type { Workload } from '../../../models/workloads/workload.js';
import type { PolicySpec, Results } from './matrix.js';
import type { BootstrapOptions } from './stats.js';

export interface BenchContext {
  workload: Workload;
  seeds: readonly number[];
  loads: readonly number[];
  /** runs per policy and load, in seed order (identical scenarios across policies) */
  results: Results;
  /** names of the heuristic baselines that ran */
  baselines: readonly string[];
  /** the baseline with the lowest mean slowdown at this load */
  bestBaseline(load: number): string;
  bootstrap: BootstrapOptions;
}

export interface SchedulerBenchExtension {
  name: string;
  /** extra policies; each spec's create() is called once per run */
  policies?(): PolicySpec[] | Promise<PolicySpec[]>;
  /** extra keys for the final JSON object */
  summarize?(ctx: BenchContext): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** Registered extensions, in order. Add yours here (import it above). */
export const EXTENSIONS: SchedulerBenchExtension[] = [rlBenchExtension()];

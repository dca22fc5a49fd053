// Runs every policy on the same scenarios (one per load and seed) and keeps what the report needs.

import type { SimSummary } from '../../../models/sim/result.js';
import { runPolicyAsync } from '../../../models/sim/run.js';
import type { Scenario } from '../../../models/sim/scenario.js';
import type { SimOptions } from '../../../models/sim/simulator.js';
import type { Policy } from '../../../runtime/scheduler/policy.js';
import type { RunSample } from './stats.js';

export interface PolicySpec {
  name: string;
  /** a fresh instance per run (policies may keep per-run state) */
  create(): Policy | Promise<Policy>;
}

export interface RunRecord extends RunSample {
  policy: string;
  load: number;
  summary: SimSummary;
  /** wall time of the run (simulator + policy), ms */
  wallMs: number;
  /** process CPU time of the run (user + system), ms; less sensitive than wall time to a busy machine */
  cpuMs: number;
}

/** policy -> load -> runs in seed order */
export type Results = Map<string, Map<number, RunRecord[]>>;

export interface MatrixSpec {
  seeds: readonly number[];
  loads: readonly number[];
  policies: readonly PolicySpec[];
  scenario(seed: number, load: number): Scenario;
  sim?: SimOptions | undefined;
  onRun?: ((r: RunRecord) => void) | undefined;
}

export async function runMatrix(spec: MatrixSpec): Promise<Results> {
  const results: Results = new Map(spec.policies.map((p) => [p.name, new Map(spec.loads.map((l) => [l, []]))]));
  for (const load of spec.loads) {
    for (const seed of spec.seeds) {
      const scenario = spec.scenario(seed, load);
      for (const p of spec.policies) {
        const policy = await p.create();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        // as on the gateway: a learned model is shown the free times it was trained with, whatever --free-time says
        const sim = policy.freeTime ? { ...spec.sim, freeTime: policy.freeTime } : (spec.sim ?? {});
        const r = await runPolicyAsync(scenario, policy, sim);
        const wallMs = performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        const rec: RunRecord = {
          policy: p.name,
          load,
          seed,
          slowdown: r.slowdown,
          completionMs: r.completionMs,
          deadlineMissed: r.deadlineMissed,
          hasDeadline: r.hasDeadline,
          utilization: r.summary.utilization,
          summary: r.summary,
          wallMs,
          cpuMs: (cpu.user + cpu.system) / 1000,
        };
        results.get(p.name)!.get(load)!.push(rec);
        spec.onRun?.(rec);
      }
    }
  }
  return results;
}

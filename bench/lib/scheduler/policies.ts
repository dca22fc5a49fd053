// Which policies a benchmark run compares: the baselines (with tuned knobs) and the extensions' policies. An
// extension policy that cannot be built (e.g. no trained model yet) is skipped with one warning line, unless it was
// asked for by name, in which case the run fails.
import { BASELINE_POLICIES, createPolicy } from '../../../runtime/scheduler/policies/registry.js';
import type { TunedFile } from '../../../runtime/scheduler/policies/tuned.js';
import { EXTENSIONS, type SchedulerBenchExtension } from './extensions.js';
import type { PolicySpec } from './matrix.js';

export interface ResolvedPolicies {
  chosen: PolicySpec[];
  /** extensions whose summarize() runs: one of their policies ran, or they bring none */
  active: SchedulerBenchExtension[];
  /** extension name -> why it was skipped */
  skipped: Record<string, string>;
}

export async function resolvePolicies(wanted: readonly string[] | undefined, tuned: TunedFile | null) {
  const baselines: PolicySpec[] = BASELINE_POLICIES.map((name) => ({
    name,
    create: () => createPolicy(name, tuned?.policies[name] ?? {}),
  }));
  const skipped: Record<string, string> = {};
  const skip = (ext: SchedulerBenchExtension, err: unknown) => {
    skipped[ext.name] = err instanceof Error ? err.message : String(err);
    console.error(`warning: benchmark extension "${ext.name}" skipped: ${skipped[ext.name]}`);
  };
  const extSpecs = new Map<SchedulerBenchExtension, PolicySpec[]>();
  for (const ext of EXTENSIONS) {
    try {
      extSpecs.set(ext, (await ext.policies?.()) ?? []);
    } catch (err) {
      skip(ext, err);
    }
  }
  const all = [...baselines, ...[...extSpecs.values()].flat()];
  const valid = all.map((s) => s.name);
  const unknown = (wanted ?? []).filter((p) => !valid.includes(p));
  if (unknown.length > 0) throw new TypeError(`--policies: unknown ${unknown.join(', ')}; valid: ${valid.join(', ')}`);
  const isChosen = (s: PolicySpec) => !wanted || wanted.includes(s.name);
  const chosen = baselines.filter(isChosen);
  const active: SchedulerBenchExtension[] = [];
  for (const [ext, specs] of extSpecs) {
    const mine = specs.filter(isChosen);
    if (specs.length > 0 && mine.length === 0) continue;
    try {
      for (const s of mine) await s.create(); // probe: fail here, once, rather than in the middle of the sweep
      chosen.push(...mine);
      active.push(ext);
    } catch (err) {
      if (wanted && mine.length > 0) throw err;
      skip(ext, err);
    }
  }
  return { chosen, active, skipped } satisfies ResolvedPolicies;
}

// The job's result from its steps' results, once every step is done. 'collect' keeps every step's result by id;
// 'sum' and 'concat' reduce the final steps (those no other step depends on), in spec order, so intermediate
// results do not leak into the total. A result of the wrong type is an error naming the step (the job fails with it).
import type { JobAggregate } from '../bus/schemas/job-messages.js';
import type { StepRecord } from './job-record.js';

export type AggregateOutcome = { ok: true; result: unknown } | { ok: false; reason: string };

export function aggregate(kind: JobAggregate, steps: readonly StepRecord[]): AggregateOutcome {
  if (kind === 'collect') {
    const out: Record<string, unknown> = {};
    for (const s of steps) out[s.spec.id] = s.result ?? null;
    return { ok: true, result: { steps: out } };
  }
  const finals = finalSteps(steps);
  if (kind === 'sum') {
    let sum = 0;
    for (const s of finals) {
      if (typeof s.result !== 'number' || !Number.isFinite(s.result)) {
        return { ok: false, reason: `aggregate sum: step "${s.spec.id}" result is not a finite number` };
      }
      sum += s.result;
    }
    return { ok: true, result: { value: sum, steps: finals.map((s) => s.spec.id) } };
  }
  const all: unknown[] = [];
  for (const s of finals) {
    if (!Array.isArray(s.result))
      return { ok: false, reason: `aggregate concat: step "${s.spec.id}" result is not an array` };
    all.push(...(s.result as unknown[]));
  }
  return { ok: true, result: { value: all, steps: finals.map((s) => s.spec.id) } };
}

/** steps no other step depends on */
export function finalSteps(steps: readonly StepRecord[]): StepRecord[] {
  const needed = new Set(steps.flatMap((s) => s.spec.dependsOn ?? []));
  return steps.filter((s) => !needed.has(s.spec.id));
}

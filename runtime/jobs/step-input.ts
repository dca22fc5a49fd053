// What a step's task gets as input: its own input, plus (inputFrom 'dependencies', the default) the results of the
// steps it depends on under `from`, keyed by step id. A step without dependencies gets its input as given. The size
// is checked by the runner against jobs.stepInputBytesMax; a step whose input would be larger fails, naming the limit.
import type { JobRecord, StepRecord } from './job-record.js';

export function stepInput(job: Readonly<JobRecord>, step: Readonly<StepRecord>): unknown {
  const deps = step.spec.dependsOn ?? [];
  if (job.inputFrom === 'none' || deps.length === 0) return step.spec.input;
  const from: Record<string, unknown> = {};
  for (const id of deps) from[id] = job.steps.find((s) => s.spec.id === id)?.result ?? null;
  return { ...step.spec.input, from };
}

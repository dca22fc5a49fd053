// One submitted job as the gateway keeps it (store namespace "jobs"): its steps in the order given, each with the task
// that runs it and its result, and the job's own state running -> done / failed / cancelled with its aggregate result.
import type { JobAggregate, JobState, JobStateMessage, JobStepSpec, StepState } from '../bus/schemas/job-messages.js';
import type { TaskState } from '../bus/schemas/task-messages.js';

export interface StepRecord {
  spec: JobStepSpec;
  state: StepState;
  /**
   * `{jobId}.s{index}` once submitted: deterministic, so a resubmit after a restart returns the same task; a cluster
   * step's cluster task is `{jobId prefix}.{hash}.c{index}` (cluster-steps.ts)
   */
  taskId: string | null;
  /** the task's last state seen (a cluster step: queued once the cluster acknowledged its task, then assigned...) */
  taskState: TaskState | null;
  /** a cluster step: the gateway its cluster task is assigned to */
  gatewayId?: string;
  result?: unknown;
  /** JSON bytes of result (counted against jobs.jobResultBytesMax) */
  resultBytes: number;
  /** why it failed, was skipped or cancelled */
  reason: string | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
}

export interface JobRecord {
  id: string;
  /** arrival order */
  seq: number;
  /** sha256 of the normalized spec: a repeat of the id with another spec is refused */
  specHash: string;
  aggregate: JobAggregate;
  inputFrom: 'dependencies' | 'none';
  steps: StepRecord[];
  state: JobState;
  submittedAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
  result?: unknown;
  reason: string | null;
}

/** a result inlined in the retained state message only up to this many JSON bytes (jobs.get always has it) */
export const STATE_RESULT_BYTES_MAX = 16384;

export function isJobFinal(state: JobState): boolean {
  return state !== 'running';
}

export function isStepFinal(state: StepState): boolean {
  return state !== 'waiting' && state !== 'running';
}

export function stepTaskId(jobId: string, index: number): string {
  return `${jobId}.s${index}`;
}

export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

export function jobStateMessage(job: JobRecord, nowMs: number): JobStateMessage {
  const steps: Record<string, StepState> = {};
  for (const s of job.steps) steps[s.spec.id] = s.state;
  const m: JobStateMessage = { jobId: job.id, state: job.state, steps, tsMs: nowMs };
  if (job.reason !== null) m.reason = job.reason;
  if (job.state === 'done' && job.result !== undefined) {
    const bytes = jsonBytes(job.result);
    if (bytes <= STATE_RESULT_BYTES_MAX) m.result = job.result;
    else m.resultBytes = bytes;
  }
  return m;
}

/** what jobs.list returns per job: no inputs or results (jobs.get has them) */
export function jobSummary(job: JobRecord): Record<string, unknown> {
  const counts: Partial<Record<StepState, number>> = {};
  for (const s of job.steps) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return {
    id: job.id,
    state: job.state,
    aggregate: job.aggregate,
    steps: job.steps.length,
    stepStates: counts,
    submittedAtMs: job.submittedAtMs,
    updatedAtMs: job.updatedAtMs,
    finishedAtMs: job.finishedAtMs,
    reason: job.reason,
  };
}

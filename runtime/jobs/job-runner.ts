// Runs jobs: a step becomes a scheduler task (through the in-process TaskService) as soon as all its dependencies are
// done, with their results under input.from; the step follows its task to the end; a failed step skips every step
// that depends on it, directly or not, naming the failed step; when no step can run any more the job ends done (with
// the aggregate of its results) or failed. Independent branches of a failed job still run to their end, so their
// results stay inspectable. Task ids are `{jobId}.s{index}`: a resubmit after a restart returns the same task.
import { ApiError } from '../bus/api-router.js';
import type { JobSubmitParams } from '../bus/schemas/job-messages.js';
import type { JobsConfig } from '../config/sections/jobs.js';
import type { TaskService } from '../scheduler/task-api.js';
import { isFinal as isTaskFinal, type TaskRecord } from '../scheduler/task-record.js';
import { aggregate } from './aggregate.js';
import type { ClusterLink } from './cluster-link.js';
import { ClusterSteps } from './cluster-steps.js';
import { isJobFinal, isStepFinal, type JobRecord, jsonBytes, type StepRecord, stepTaskId } from './job-record.js';
import { specHash, stepWhere, validateJobSpec, validateWhere } from './job-spec.js';
import type { JobStore } from './job-store.js';
import { stepInput } from './step-input.js';

const EST_DURATION_MS_DEFAULT = 1000;

export interface RunnerHooks {
  /** the job or one of its steps changed (publish, persist) */
  changed(job: Readonly<JobRecord>): void;
  /** finished jobs forgotten to stay within finishedJobsMax */
  dropped(jobIds: readonly string[]): void;
  /** an operating error worth a log line (a submit refused by the scheduler...) */
  warn(fields: Record<string, unknown>, message: string): void;
}

/** this gateway's cluster, for steps with where: "cluster" (cluster-steps.ts) */
export interface RunnerCluster {
  link: () => ClusterLink | undefined;
  gatewayId: string;
}

export class JobRunner {
  /** submits in flight, awaited by settle() so stop() leaves nothing running */
  readonly #pending = new Set<Promise<void>>();
  readonly #cluster: ClusterSteps;

  constructor(
    private readonly store: JobStore,
    private readonly tasks: () => TaskService,
    cluster: RunnerCluster,
    private readonly limits: JobsConfig,
    private readonly hooks: RunnerHooks,
    private readonly now: () => number = Date.now,
  ) {
    this.#cluster = new ClusterSteps(cluster.link, cluster.gatewayId, {
      touch: (job) => this.#touch(job, this.now()),
      done: (job, step, result, keeper) => this.#accept(job, step, result, keeper),
      fail: (job, step, reason) => {
        this.#fail(job, step, reason, this.now());
        this.advance(job);
      },
      warn: (fields, message) => this.hooks.warn(fields, message),
      track: (p) => this.#track(p),
    });
  }

  submit(p: JobSubmitParams): { job: JobRecord; created: boolean } {
    const hash = specHash(p);
    if (p.jobId !== undefined) {
      const existing = this.store.get(p.jobId);
      if (existing && existing.specHash === hash) return { job: existing, created: false };
      if (existing) {
        throw new ApiError(
          'bad_message',
          `job ${p.jobId} exists with another spec; choose another jobId`,
          'params.jobId',
        );
      }
    }
    validateJobSpec(p, this.limits);
    validateWhere(p, this.#cluster.enabled);
    if (this.store.runningCount >= this.limits.runningJobsMax) {
      throw new ApiError(
        'limit_reached',
        `${this.store.runningCount} jobs running; the limit is ${this.limits.runningJobsMax} (jobs.runningJobsMax)`,
      );
    }
    const nowMs = this.now();
    const seq = this.store.nextSeq();
    const job: JobRecord = {
      id: p.jobId ?? `j-${nowMs.toString(36)}-${seq}`,
      seq,
      specHash: hash,
      aggregate: p.aggregate ?? 'collect',
      inputFrom: p.inputFrom ?? 'dependencies',
      steps: p.steps.map((spec) => ({
        // a job-level where is resolved into each step (jobs.get shows where each step runs)
        spec: spec.where === undefined && stepWhere(p, spec) === 'cluster' ? { ...spec, where: 'cluster' } : spec,
        state: 'waiting',
        taskId: null,
        taskState: null,
        resultBytes: 0,
        reason: null,
        startedAtMs: null,
        finishedAtMs: null,
      })),
      state: 'running',
      submittedAtMs: nowMs,
      updatedAtMs: nowMs,
      finishedAtMs: null,
      reason: null,
    };
    this.store.add(job);
    this.hooks.changed(job);
    this.advance(job);
    return { job, created: true };
  }

  /** throws not_found for an unknown job; a finished job is returned unchanged */
  cancel(jobId: string, reason: string): JobRecord {
    const job = this.store.get(jobId);
    if (!job) throw new ApiError('not_found', `no job ${jobId}`, 'params.jobId');
    if (isJobFinal(job.state)) return job;
    const nowMs = this.now();
    for (const step of job.steps) {
      if (isStepFinal(step.state)) continue;
      // a cluster task cannot be cancelled (the cluster state has no such command): it runs to its end, unfollowed
      if (step.state === 'running' && step.taskId !== null && !isCluster(step)) this.#cancelTask(step.taskId, reason);
      this.#endStep(step, 'cancelled', reason, nowMs);
    }
    this.#endJob(job, 'cancelled', reason, nowMs);
    return job;
  }

  /** a task's state may have changed (its state message, or the reconcile timer) */
  taskChanged(taskId: string): void {
    const m = /^(.+)\.s(\d+)$/.exec(taskId);
    const job = m ? this.store.get(m[1] as string) : undefined;
    const step = job?.steps[Number(m?.[2])];
    if (!job || !step || step.taskId !== taskId || isJobFinal(job.state)) return;
    this.#follow(job, step);
  }

  /** every running step against its task, then start what can start; after a restart and on a timer */
  reconcile(): void {
    for (const job of this.store.running()) {
      for (const step of job.steps) if (step.state === 'running') this.#follow(job, step);
      this.advance(job);
    }
  }

  /** starts the steps whose dependencies are done (up to stepsInFlightMax), or ends the job when nothing can run */
  advance(job: JobRecord): void {
    if (isJobFinal(job.state)) return;
    const byId = new Map(job.steps.map((s) => [s.spec.id, s]));
    let inFlight = job.steps.filter((s) => s.state === 'running').length;
    for (let i = 0; i < job.steps.length && inFlight < this.limits.stepsInFlightMax; i++) {
      const step = job.steps[i] as StepRecord;
      if (step.state !== 'waiting') continue;
      if (!(step.spec.dependsOn ?? []).every((d) => byId.get(d)?.state === 'done')) continue;
      if (this.#start(job, i)) inFlight++;
    }
    if (job.steps.some((s) => !isStepFinal(s.state))) return;
    const failed = job.steps.filter((s) => s.state === 'failed').map((s) => s.spec.id);
    const nowMs = this.now();
    if (failed.length > 0) {
      this.#endJob(
        job,
        'failed',
        `step${failed.length > 1 ? 's' : ''} ${failed.map((f) => `"${f}"`).join(', ')} failed`,
        nowMs,
      );
      return;
    }
    const out = aggregate(job.aggregate, job.steps);
    if (out.ok) job.result = out.result;
    this.#endJob(job, out.ok ? 'done' : 'failed', out.ok ? null : out.reason, nowMs);
  }

  /** resolves when the submits in flight have ended */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #start(job: JobRecord, index: number): boolean {
    const step = job.steps[index] as StepRecord;
    const nowMs = this.now();
    const input = stepInput(job, step);
    const bytes = jsonBytes(input);
    if (bytes > this.limits.stepInputBytesMax) {
      const why = `input with its dependencies' results is ${bytes} bytes; the limit is ${this.limits.stepInputBytesMax} (jobs.stepInputBytesMax)`;
      this.#fail(job, step, why, nowMs);
      return false;
    }
    const taskId = isCluster(step) ? this.#cluster.taskId(job, index) : stepTaskId(job.id, index);
    step.state = 'running';
    step.taskId = taskId;
    step.startedAtMs = nowMs;
    this.#touch(job, nowMs);
    if (isCluster(step)) {
      this.#cluster.start(job, step, input);
      return true;
    }
    const { spec } = step;
    // the scheduler stores the task before this call returns; its write to disk (shared with ours) is awaited here
    const p = this.tasks()
      .submit({
        taskId,
        capability: spec.capability,
        estDurationMs: spec.estDurationMs ?? EST_DURATION_MS_DEFAULT,
        ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
        ...(spec.demand !== undefined ? { demand: spec.demand } : {}),
        ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
        ...(input !== undefined ? { input } : {}),
      })
      .then(
        ({ task }) => this.#follow(job, step, task),
        (err: unknown) => this.#refused(job, step, err),
      );
    this.#track(p);
    return true;
  }

  #track(p: Promise<void>): void {
    const tracked = p.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** the scheduler refused the task: a full queue is retried on the next reconcile, anything else fails the step */
  #refused(job: JobRecord, step: StepRecord, err: unknown): void {
    if (step.state !== 'running' || isJobFinal(job.state)) return;
    const body = (err as { body?: { code?: string; message?: string } }).body;
    const message = body?.message ?? (err as Error).message ?? String(err);
    if (body?.code === 'limit_reached' || body?.code === 'unavailable') {
      this.hooks.warn({ jobId: job.id, stepId: step.spec.id, err: message }, 'jobs: step not submitted yet, retrying');
      step.state = 'waiting';
      step.taskId = null;
      step.startedAtMs = null;
      this.#touch(job, this.now());
      return;
    }
    this.#fail(job, step, `task not submitted: ${message}`, this.now());
    this.advance(job);
  }

  #follow(job: JobRecord, step: StepRecord, known?: TaskRecord): void {
    if (step.state !== 'running' || step.taskId === null || isJobFinal(job.state)) return;
    if (isCluster(step)) {
      this.#cluster.follow(job, step, () => stepInput(job, step));
      return;
    }
    const task = known ?? this.tasks().get(step.taskId);
    const nowMs = this.now();
    if (!task) {
      this.#fail(
        job,
        step,
        `task ${step.taskId} is no longer kept by the scheduler (scheduler.finishedTasksMax)`,
        nowMs,
      );
      this.advance(job);
      return;
    }
    if (task.state === step.taskState && !isTaskFinal(task.state)) return;
    step.taskState = task.state;
    if (!isTaskFinal(task.state)) {
      this.#touch(job, nowMs);
      return;
    }
    if (task.state !== 'done') {
      this.#fail(job, step, `task ${task.id} ${task.state}: ${task.reason ?? 'no reason given'}`, nowMs);
      this.advance(job);
      return;
    }
    this.#accept(job, step, task.result, `tasks.get ${task.id}`);
  }

  /** the step's task is done: its result is kept within the limits (else the step fails) and the job advances */
  #accept(job: JobRecord, step: StepRecord, result: unknown, keeper: string): void {
    const nowMs = this.now();
    const bytes = jsonBytes(result);
    const kept = job.steps.reduce((n, s) => n + s.resultBytes, 0);
    if (bytes > this.limits.stepResultBytesMax || kept + bytes > this.limits.jobResultBytesMax) {
      const why =
        bytes > this.limits.stepResultBytesMax
          ? `result is ${bytes} bytes; the limit is ${this.limits.stepResultBytesMax} (jobs.stepResultBytesMax)`
          : `results of the job would be ${kept + bytes} bytes; the limit is ${this.limits.jobResultBytesMax} (jobs.jobResultBytesMax)`;
      this.#fail(job, step, `${why}; the task keeps it (${keeper})`, nowMs);
      this.advance(job);
      return;
    }
    if (result !== undefined) step.result = result;
    step.resultBytes = bytes;
    this.#endStep(step, 'done', null, nowMs);
    this.#touch(job, nowMs);
    this.advance(job);
  }

  /** the step failed: every step depending on it, directly or through others, is skipped naming it */
  #fail(job: JobRecord, step: StepRecord, reason: string, nowMs: number): void {
    this.#endStep(step, 'failed', reason, nowMs);
    const failedId = step.spec.id;
    const blocked = new Set([failedId]);
    // steps are not in topological order, so repeat until no new dependent shows up (<= steps passes)
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of job.steps) {
        if (s.state !== 'waiting' || !(s.spec.dependsOn ?? []).some((d) => blocked.has(d))) continue;
        this.#endStep(s, 'skipped', `step "${failedId}" failed`, nowMs);
        blocked.add(s.spec.id);
        grew = true;
      }
    }
    this.#touch(job, nowMs);
  }

  #endStep(step: StepRecord, state: StepRecord['state'], reason: string | null, nowMs: number): void {
    step.state = state;
    step.reason = reason === null ? null : reason.slice(0, 2048);
    step.finishedAtMs = nowMs;
    if (isCluster(step) && step.taskId !== null) this.#cluster.forget(step.taskId);
  }

  #endJob(job: JobRecord, state: JobRecord['state'], reason: string | null, nowMs: number): void {
    if (isJobFinal(job.state)) return;
    job.state = state;
    job.reason = reason === null ? null : reason.slice(0, 2048);
    job.finishedAtMs = nowMs;
    job.updatedAtMs = nowMs;
    const dropped = this.store.finished(job);
    this.hooks.changed(job);
    if (dropped.length > 0) this.hooks.dropped(dropped);
  }

  #touch(job: JobRecord, nowMs: number): void {
    job.updatedAtMs = nowMs;
    this.store.changed();
    this.hooks.changed(job);
  }

  #cancelTask(taskId: string, reason: string): void {
    try {
      this.tasks().cancel(taskId, `job cancelled: ${reason}`);
    } catch (err) {
      this.hooks.warn({ taskId, err: (err as Error).message }, 'jobs: task not cancelled');
    }
  }
}

function isCluster(step: Readonly<StepRecord>): boolean {
  return step.spec.where === 'cluster';
}

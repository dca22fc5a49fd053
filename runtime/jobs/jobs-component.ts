// Jobs as one gateway component: jobs.submit/get/list/cancel over the API, jobs kept in the core store, each step run
// as a task of this gateway's scheduler (in-process TaskService, see task-service-link.ts), every change published
// retained on agentos/v1/jobs/{jobId}/state. Task transitions come from the scheduler's onChange listener, and a
// reconcile timer checks running steps against their tasks, which also resumes running jobs after a restart (and
// follows cluster steps, whose state has no listener).
import type { JobSubmitParams } from '../bus/schemas/job-messages.js';
import { topics } from '../bus/topics.js';
import type { Component, GatewayContext } from '../component.js';
import type { TaskService } from '../scheduler/task-api.js';
import { clusterOf } from './cluster-link.js';
import { type JobService, registerJobMethods } from './job-api.js';
import { isJobFinal, type JobRecord, jobStateMessage } from './job-record.js';
import { JobRunner } from './job-runner.js';
import { JobStore } from './job-store.js';
import { taskServiceOf } from './task-service-link.js';

export class JobsComponent implements Component, JobService {
  readonly name = 'jobs';
  readonly store: JobStore;
  readonly runner: JobRunner;
  #off: (() => void) | undefined;
  #offHealth: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #started = false;

  constructor(private readonly ctx: GatewayContext) {
    const c = ctx.config.jobs;
    this.store = new JobStore(ctx.store, c.finishedJobsMax);
    const cluster = { link: () => clusterOf(ctx), gatewayId: ctx.config.gateway.id };
    this.runner = new JobRunner(this.store, () => this.#tasks(), cluster, c, {
      changed: (job) => this.#publish(job.id, JSON.stringify(jobStateMessage(job as JobRecord, Date.now()))),
      dropped: (ids) => {
        for (const id of ids) this.#publish(id, '');
      },
      warn: (fields, message) => ctx.logger.warn(fields, message),
    });
    registerJobMethods(ctx.api, this);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#tasks();
    this.store.load();
    // the scheduler says which task changed; the record is read from it when the runner looks
    // deferred: the listener runs inside the transition, e.g. inside the runner's own cancel of a step's task
    this.#off = this.#tasks().onChange((taskId) => {
      if (taskId.includes('.s')) queueMicrotask(() => this.runner.taskChanged(taskId));
    });
    // the embedded broker keeps retained messages in memory only: publish the kept jobs' state again
    for (const job of this.store.all()) this.#publish(job.id, JSON.stringify(jobStateMessage(job, Date.now())));
    this.runner.reconcile();
    this.#timer = setInterval(() => this.runner.reconcile(), this.ctx.config.jobs.reconcileIntervalMs);
    this.#offHealth = this.ctx.health.add('jobs', () => this.health());
    const running = this.store.runningCount;
    if (running > 0) this.ctx.logger.info({ running }, 'jobs: resumed from the store');
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#offHealth?.();
    this.#off?.();
    this.#off = undefined;
    await this.runner.settle();
    this.store.unload();
  }

  health(): Record<string, unknown> {
    if (!this.store.loaded) return { running: 0, finishedKept: 0 };
    return {
      running: this.store.runningCount,
      finishedKept: this.store.finishedCount,
      runningJobsMax: this.ctx.config.jobs.runningJobsMax,
    };
  }

  // ---- JobService (the API methods) ----

  async submit(params: JobSubmitParams): Promise<{ job: JobRecord; created: boolean }> {
    this.#requireStarted();
    const r = this.runner.submit(params);
    await this.store.flush();
    return r;
  }

  get(jobId: string): JobRecord | undefined {
    this.#requireStarted();
    return this.store.get(jobId);
  }

  list(): JobRecord[] {
    this.#requireStarted();
    return this.store.all();
  }

  cancel(jobId: string, reason: string): JobRecord {
    this.#requireStarted();
    const job = this.runner.cancel(jobId, reason);
    if (isJobFinal(job.state)) this.store.changed();
    return job;
  }

  #tasks(): TaskService {
    const service = taskServiceOf(this.ctx);
    if (!service) throw new Error('jobs: no task service; list the scheduler with provideTaskService in components.ts');
    return service;
  }

  #requireStarted(): void {
    if (!this.store.loaded)
      throw Object.assign(new Error('jobs not started'), {
        body: { code: 'unavailable', message: 'jobs not started' },
      });
  }

  #publish(jobId: string, payload: string): void {
    if (!this.#started) return;
    this.ctx.bus
      .publish(topics.jobState(jobId), payload, { qos: 1, retain: true })
      .catch((err: unknown) => this.ctx.logger.warn({ err, jobId }, 'job state not published'));
  }
}

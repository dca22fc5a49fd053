// The live scheduler as one gateway component: tasks submitted over the API (tasks.submit/get/list/cancel) wait in a
// bounded, persisted queue; the scheduling loop places them with the configured policy (SchedulerPolicyComponent:
// the shipped rl model, or its fallback heuristic) on online agents; assignments and results travel over the bus;
// every transition is published retained on agentos/v1/tasks/{taskId}/state; the site trace is recorded for
// `agentos model train --trace` and for retraining the running model from it (site-learning.ts, API model.retrain and
// model.status). Tasks of an agent that goes offline or fails are re-queued.
import { dirname, join, resolve } from 'node:path';
import type { TaskState, TaskSubmitParams } from '../bus/schemas/task-messages.js';
import { topics } from '../bus/topics.js';
import type { Component, GatewayContext } from '../component.js';
import type { AgentChange, AgentRecord } from '../kernel/registry/agent-record.js';
import { AgentSpeeds } from './agent-speeds.js';
import { TaskDispatcher } from './dispatcher.js';
import { registerModelMethods } from './model-api.js';
import { type FreeTimeModel, OverrunModel } from './overrun-model.js';
import { SchedulerPolicyComponent } from './policy-component.js';
import { RunObservations } from './run-observations.js';
import { SchedulingLoop } from './scheduling-loop.js';
import { SiteLearning } from './site-learning.js';
import { SiteTraceFile, type TraceAgent } from './site-trace-file.js';
import { registerTaskMethods, type TaskService } from './task-api.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { activeAttempt, stateMessage, type TaskRecord, taskView } from './task-record.js';
import { TaskStore } from './task-store.js';

const CANCEL_TIMEOUT_MS = 5000;

export class SchedulerComponent implements Component, TaskService {
  /** in-process followers of task transitions (jobs) */
  readonly #listeners = new Set<(taskId: string) => void>();
  readonly name = 'scheduler';
  readonly policy: SchedulerPolicyComponent;
  readonly store: TaskStore;
  readonly lifecycle: TaskLifecycle;
  readonly dispatcher: TaskDispatcher;
  readonly loop: SchedulingLoop;
  readonly trace: SiteTraceFile | null;
  readonly learning: SiteLearning;
  readonly speeds = new AgentSpeeds();
  /** how actual run times compare to estimates at this site, for busy agents' predicted free times */
  readonly overrun = new OverrunModel();
  /** feeds both from finished runs, and from the previous site trace at start */
  readonly runs = new RunObservations(this.speeds, this.overrun);
  #offChange: (() => void) | undefined;
  #offHealth: (() => void) | undefined;
  #started = false;

  constructor(private readonly ctx: GatewayContext) {
    const c = ctx.config.scheduler;
    this.policy = new SchedulerPolicyComponent(ctx);
    this.store = new TaskStore({ store: ctx.store, finishedTasksMax: c.finishedTasksMax });
    this.lifecycle = new TaskLifecycle(this.store, c, {
      transition: (task, previous) => this.#transition(task, previous),
      dropped: (ids) => {
        for (const id of ids) this.#publish(id, '');
      },
      stopOnAgent: (task, agentId, reason) => this.dispatcher.cancel(agentId, task.id, reason),
      completed: (task, agentId, atMs) => this.#completed(task, agentId, atMs),
    });
    this.dispatcher = new TaskDispatcher({
      ...ctx,
      gatewayId: ctx.config.gateway.id,
      cancelTimeoutMs: CANCEL_TIMEOUT_MS,
      onUpdate: (agentId, u) => {
        this.lifecycle.update(agentId, u, Date.now());
        this.loop.wake();
      },
    });
    this.loop = new SchedulingLoop({
      store: this.store,
      lifecycle: this.lifecycle,
      sources: {
        agents: () => ctx.registry.list(),
        observedUse: (id) => ctx.accounting.observedUse(id),
        speed: (id) => this.speeds.speed(id),
        expectedEndMs: (startMs, expectedMs, nowMs) =>
          this.freeTime === 'fitted'
            ? this.overrun.expectedEndMs(startMs, expectedMs, nowMs)
            : Math.max(nowMs, startMs + expectedMs),
      },
      policy: () => this.policy.policy,
      assign: (agentId, message) => this.dispatcher.assign(agentId, message),
      decisionIntervalMs: c.decisionIntervalMs,
      observationTasksMax: c.observationTasksMax,
      logger: ctx.logger,
    });
    this.trace = c.traceEnabled
      ? new SiteTraceFile({
          dir: join(resolve(ctx.config.store.dataDir), 'scheduler'),
          tasksPerFileMax: c.traceTasksPerFileMax,
          filesMax: c.traceFilesMax,
          flushIntervalMs: c.traceFlushIntervalMs,
          logger: ctx.logger,
        })
      : null;
    this.learning = new SiteLearning(ctx, this.policy, this.trace);
    registerTaskMethods(ctx.api, this);
    registerModelMethods(ctx.api, this.learning);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { ctx } = this;
    await this.policy.start();
    this.learning.start();
    this.store.load();
    this.lifecycle.recover(Date.now());
    await this.trace?.start();
    if (this.trace) {
      // speeds and the overrun model from the previous run's trace (start() has just rotated it to .1)
      const previous = join(dirname(this.trace.path), 'site-trace.1.json');
      const n = await this.runs.warmStart(previous, ctx.logger);
      if (n > 0)
        ctx.logger.info({ runs: n }, 'scheduler: agent speeds and overrun model warmed from the previous trace');
    }
    // tasks still queued or in flight from before the restart: their runs belong in the new trace file, which needs
    // their arrivals (with the original arrival times, so the file stays in arrival order)
    for (const task of this.store.active().sort((a, b) => a.seq - b.seq)) {
      this.trace?.arrival(taskView(task));
      if (activeAttempt(task)) this.#placed(task);
    }
    for (const agent of ctx.registry.list()) if (agent.status === 'online') this.trace?.agent(traceAgent(agent));
    this.#offChange = ctx.registry.onChange((change) => this.#agentChanged(change));
    await this.dispatcher.start();
    // the embedded broker keeps retained messages in memory only: publish the kept tasks' state again
    for (const task of this.store.all()) this.#publish(task.id, JSON.stringify(stateMessage(task, Date.now())));
    this.#offHealth = ctx.health.add('tasks', () => this.health());
    this.loop.start();
    const n = this.store.activeCount;
    if (n > 0) ctx.logger.info({ active: n, queued: this.store.queuedCount }, 'tasks: resumed from the store');
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.learning.stop();
    await this.loop.stop();
    this.#offChange?.();
    this.#offHealth?.();
    await this.dispatcher.stop();
    await this.trace?.stop();
    this.store.unload();
    await this.policy.stop();
  }

  /** the free-time model of the next observation: the running policy's own, else scheduler.freeTime */
  get freeTime(): FreeTimeModel {
    return this.policy.policy?.freeTime ?? this.ctx.config.scheduler.freeTime;
  }

  health(): Record<string, unknown> {
    const fit = this.overrun.fit();
    return {
      policy: this.policy.policy?.name ?? null,
      freeTime: {
        model: this.freeTime,
        samples: this.overrun.samples,
        fit: fit && { mu: round(fit.mu), sigma: round(fit.sigma), samples: fit.samples },
      },
      active: this.store.loaded ? this.store.activeCount : 0,
      queued: this.store.loaded ? this.store.queuedCount : 0,
      finishedKept: this.store.loaded ? this.store.finishedCount : 0,
      queueLengthMax: this.ctx.config.scheduler.queueLengthMax,
      ...this.lifecycle.stats,
      ...this.loop.stats,
      ...this.dispatcher.stats,
      trace: this.trace?.stats ?? null,
    };
  }

  // ---- TaskService (the API methods and other components) ----

  async submit(params: TaskSubmitParams): Promise<{ task: TaskRecord; created: boolean }> {
    this.#requireStarted();
    const r = this.lifecycle.submit(params, Date.now());
    if (r.created) {
      this.trace?.arrival(taskView(r.task));
      this.loop.wake();
    }
    await this.store.flush();
    return r;
  }

  get(taskId: string): TaskRecord | undefined {
    this.#requireStarted();
    return this.store.get(taskId);
  }

  list(): TaskRecord[] {
    this.#requireStarted();
    return this.store.all();
  }

  cancel(taskId: string, reason: string): TaskRecord {
    this.#requireStarted();
    return this.lifecycle.cancel(taskId, reason, Date.now());
  }

  onChange(listener: (taskId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #requireStarted(): void {
    if (!this.store.loaded)
      throw Object.assign(new Error('scheduler not started'), {
        body: { code: 'unavailable', message: 'scheduler not started' },
      });
  }

  #agentChanged(change: AgentChange): void {
    const { agent } = change;
    if (change.type === 'status' && (agent.status === 'offline' || agent.status === 'failed')) {
      const lost = this.lifecycle.agentLost(agent.id, agent.statusReason ?? agent.status, Date.now());
      if (lost > 0) this.ctx.logger.info({ agentId: agent.id, tasks: lost }, 'tasks: agent lost, its tasks re-queued');
    }
    if (change.type === 'registered' || (change.type === 'status' && agent.status === 'online')) {
      this.trace?.agent(traceAgent(agent));
      this.loop.wake();
    }
  }

  #transition(task: Readonly<TaskRecord>, previous: TaskState | null): void {
    this.#publish(task.id, JSON.stringify(stateMessage(task, Date.now())));
    if (task.state === 'assigned' && previous === 'queued') this.#placed(task);
    if ((previous === 'assigned' || previous === 'running') && task.state !== 'done' && task.state !== 'running') {
      this.trace?.abandoned(task.id);
    }
    if (previous !== null && previous !== task.state) this.loop.wake();
  }

  #placed(task: Readonly<TaskRecord>): void {
    const attempt = activeAttempt(task as TaskRecord);
    const agent = attempt ? this.ctx.registry.get(attempt.agentId) : undefined;
    if (!attempt || !agent || !this.trace) return;
    this.trace.placement(taskView(task as TaskRecord), traceAgent(agent), attempt.assignedAtMs);
  }

  #completed(task: Readonly<TaskRecord>, agentId: string, atMs: number): void {
    const attempt = task.attempts.at(-1);
    // the free times count a run from its start (observation-builder.ts), the speeds from its assignment
    if (attempt) {
      const runMs = atMs - (attempt.startedAtMs ?? attempt.assignedAtMs);
      this.runs.observe(agentId, task.estDurationMs, atMs - attempt.assignedAtMs, runMs);
    }
    this.trace?.completion(task.id, agentId, atMs);
    this.learning.runCompleted();
  }

  #publish(taskId: string, payload: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(taskId);
      } catch (err) {
        this.ctx.logger.error({ err, taskId }, 'task change listener failed');
      }
    }
    this.ctx.bus
      .publish(topics.taskState(taskId), payload, { qos: 1, retain: true })
      .catch((err: unknown) => this.ctx.logger.warn({ err, taskId }, 'task state not published'));
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function traceAgent(agent: AgentRecord): TraceAgent {
  return {
    id: agent.id,
    kind: agent.kind,
    capabilities: agent.capabilities,
    capacity: {
      cpu: agent.capacity.cpu ?? 0,
      memoryMb: agent.capacity.memoryMb ?? 0,
      bandwidthKbps: agent.capacity.bandwidthKbps ?? 0,
    },
    linkQuality: typeof agent.metadata['linkQuality'] === 'number' ? agent.metadata['linkQuality'] : 1,
  };
}

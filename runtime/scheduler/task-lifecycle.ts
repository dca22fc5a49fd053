// The task state machine: queued -> assigned -> running -> done / failed / timed-out / cancelled. An attempt that
// fails, is rejected, times out or loses its agent puts the task back in the queue (at its arrival position) until
// `retriesMax` retries are used; only the agent of the current attempt can move a task, so a result that arrives twice
// (or late, from an attempt already given up) is counted and ignored: a task is done exactly once. Timeouts are
// checked by sweep(), which the scheduling loop calls on its timer. No I/O: hooks publish and persist.
import { ApiError } from '../bus/api-router.js';
import type {
  TaskAssignMessage,
  TaskState,
  TaskSubmitParams,
  TaskUpdateMessage,
} from '../bus/schemas/task-messages.js';
import { type AttemptOutcome, activeAttempt, isFinal, type TaskRecord } from './task-record.js';
import type { TaskStore } from './task-store.js';

export interface LifecycleLimits {
  queueLengthMax: number;
  retriesMax: number;
  ackTimeoutMs: number;
  runTimeoutFactor: number;
  runTimeoutMsMin: number;
}

export interface LifecycleHooks {
  /** after every state change (and progress), with the state before it (null for a new task) */
  transition(task: Readonly<TaskRecord>, previous: TaskState | null): void;
  /** finished tasks forgotten to stay within finishedTasksMax */
  dropped(taskIds: readonly string[]): void;
  /** an agent should stop working on the task (cancelled, timed out); best effort */
  stopOnAgent(task: Readonly<TaskRecord>, agentId: string, reason: string): void;
  /** the agent of the current attempt finished it (for the site trace) */
  completed(task: Readonly<TaskRecord>, agentId: string, atMs: number): void;
}

export interface LifecycleStats {
  submitted: number;
  done: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  requeued: number;
  /** updates from an agent that is not running the task now (a late result, a repeat) */
  staleUpdates: number;
  /** a second done for a task already done */
  duplicateResults: number;
  unknownUpdates: number;
}

export class TaskLifecycle {
  readonly stats: LifecycleStats = {
    submitted: 0,
    done: 0,
    failed: 0,
    timedOut: 0,
    cancelled: 0,
    requeued: 0,
    staleUpdates: 0,
    duplicateResults: 0,
    unknownUpdates: 0,
  };
  /** timeouts of attempts that were running when the gateway stopped count from the restart */
  readonly #clockFromMs = new Map<string, number>();

  constructor(
    private readonly store: TaskStore,
    private readonly limits: LifecycleLimits,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** after the store loaded: attempts in flight keep running, with fresh timeouts */
  recover(nowMs: number): void {
    for (const t of this.store.active()) if (activeAttempt(t)) this.#clockFromMs.set(t.id, nowMs);
  }

  submit(p: TaskSubmitParams, nowMs: number): { task: TaskRecord; created: boolean } {
    if (p.taskId !== undefined) {
      const existing = this.store.get(p.taskId);
      if (existing) return { task: existing, created: false };
    }
    if (p.deadlineMs !== undefined && p.deadlineMs <= nowMs) {
      throw new ApiError(
        'bad_message',
        `deadlineMs ${p.deadlineMs} is in the past (now ${nowMs})`,
        'params.deadlineMs',
      );
    }
    const max = this.limits.queueLengthMax;
    if (this.store.activeCount >= max) {
      throw new ApiError(
        'limit_reached',
        `task queue is full: ${this.store.activeCount} tasks waiting or running (scheduler.queueLengthMax ${max})`,
      );
    }
    const seq = this.store.nextSeq();
    const task: TaskRecord = {
      id: p.taskId ?? `t-${nowMs.toString(36)}-${seq}`,
      seq,
      capability: p.capability,
      demand: {
        cpu: p.demand?.cpu ?? 0,
        memoryMb: p.demand?.memoryMb ?? 0,
        bandwidthKbps: p.demand?.bandwidthKbps ?? 0,
      },
      estDurationMs: p.estDurationMs,
      priority: p.priority ?? 0,
      deadlineMs: p.deadlineMs ?? null,
      timeoutMs: p.timeoutMs ?? null,
      ...(p.input !== undefined ? { input: p.input } : {}),
      state: 'queued',
      submittedAtMs: nowMs,
      updatedAtMs: nowMs,
      finishedAtMs: null,
      attempts: [],
      progress: null,
      reason: null,
    };
    this.store.add(task);
    this.stats.submitted++;
    this.hooks.transition(task, null);
    return { task, created: true };
  }

  /** the policy placed a queued task; returns the assignment to send to the agent */
  assign(taskId: string, agentId: string, nowMs: number): TaskAssignMessage {
    const task = this.store.get(taskId);
    if (task?.state !== 'queued') throw new Error(`task ${taskId} is not queued (${task?.state ?? 'unknown'})`);
    task.attempts.push({ agentId, assignedAtMs: nowMs, startedAtMs: null, endedAtMs: null, outcome: 'active' });
    task.progress = null;
    this.#clockFromMs.delete(taskId);
    this.#move(task, 'assigned', nowMs);
    const message: TaskAssignMessage = {
      taskId,
      capability: task.capability,
      timeoutMs: this.runTimeoutMs(task),
      attempt: task.attempts.length,
    };
    if (task.input !== undefined) message.input = task.input;
    if (task.deadlineMs !== null) message.deadlineMs = task.deadlineMs;
    return message;
  }

  /** agents already tried for this task (retries prefer others) */
  triedAgents(task: TaskRecord): ReadonlySet<string> {
    return new Set(task.attempts.map((a) => a.agentId));
  }

  runTimeoutMs(task: TaskRecord): number {
    if (task.timeoutMs !== null) return task.timeoutMs;
    return Math.max(this.limits.runTimeoutMsMin, Math.ceil(task.estDurationMs * this.limits.runTimeoutFactor));
  }

  /** a task/update from an agent (already checked against its schema) */
  update(agentId: string, u: TaskUpdateMessage, nowMs: number): void {
    const task = this.store.get(u.taskId);
    if (!task) {
      this.stats.unknownUpdates++;
      return;
    }
    const attempt = activeAttempt(task);
    // an update naming an older attempt comes from a run the gateway already gave up on (same agent placed again)
    const olderAttempt = u.attempt !== undefined && u.attempt !== task.attempts.length;
    if (!attempt || attempt.agentId !== agentId || olderAttempt) {
      const doneHere = task.state === 'done' && task.attempts.at(-1)?.agentId === agentId;
      if (u.state === 'done' && doneHere) this.stats.duplicateResults++;
      else this.stats.staleUpdates++;
      return;
    }
    switch (u.state) {
      case 'accepted':
      case 'running':
        if (attempt.startedAtMs === null) attempt.startedAtMs = nowMs;
        if (u.progress !== undefined) task.progress = u.progress;
        this.#move(task, 'running', nowMs);
        return;
      case 'done':
        this.#finishAttempt(task, 'done', undefined, nowMs);
        if (u.result !== undefined) task.result = u.result;
        task.progress = 1;
        task.reason = null;
        this.stats.done++;
        this.hooks.completed(task, agentId, nowMs);
        this.#move(task, 'done', nowMs);
        return;
      case 'failed':
      case 'rejected':
        this.#retryOrEnd(task, u.state, u.error ?? `agent ${agentId} reported ${u.state}`, nowMs);
        return;
    }
  }

  /** the agent went offline or failed: its attempts are lost and the tasks re-queued (or failed past retriesMax) */
  agentLost(agentId: string, reason: string, nowMs: number): number {
    let lost = 0;
    for (const task of this.store.active()) {
      if (activeAttempt(task)?.agentId !== agentId) continue;
      this.#retryOrEnd(task, 'lost', `agent ${agentId} lost: ${reason}`, nowMs);
      lost++;
    }
    return lost;
  }

  /** throws not_found for an unknown task; a finished task is returned unchanged */
  cancel(taskId: string, reason: string, nowMs: number): TaskRecord {
    const task = this.store.get(taskId);
    if (!task) throw new ApiError('not_found', `no task ${taskId}`, 'params.taskId');
    if (isFinal(task.state)) return task;
    const attempt = activeAttempt(task);
    if (attempt) {
      this.#finishAttempt(task, 'cancelled', reason, nowMs);
      this.hooks.stopOnAgent(task, attempt.agentId, reason);
    }
    task.reason = reason;
    this.stats.cancelled++;
    this.#move(task, 'cancelled', nowMs);
    return task;
  }

  /** deadlines of every active task, accept and run timeouts of attempts; returns how many tasks moved */
  sweep(nowMs: number): number {
    let moved = 0;
    for (const task of this.store.active()) {
      if (this.#sweepOne(task, nowMs)) moved++;
    }
    return moved;
  }

  #sweepOne(task: TaskRecord, nowMs: number): boolean {
    const attempt = activeAttempt(task);
    if (task.deadlineMs !== null && nowMs >= task.deadlineMs) {
      const reason = `deadline ${new Date(task.deadlineMs).toISOString()} passed`;
      if (attempt) {
        this.#finishAttempt(task, 'timeout', reason, nowMs);
        this.hooks.stopOnAgent(task, attempt.agentId, reason);
      }
      task.reason = reason;
      this.stats.timedOut++;
      this.#move(task, 'timed-out', nowMs);
      return true;
    }
    if (!attempt) return false;
    const from = this.#clockFromMs.get(task.id);
    if (attempt.startedAtMs === null) {
      const since = Math.max(from ?? 0, attempt.assignedAtMs);
      if (nowMs - since < this.limits.ackTimeoutMs) return false;
      this.#retryOrEnd(
        task,
        'timeout',
        `agent ${attempt.agentId} did not accept within ${this.limits.ackTimeoutMs} ms`,
        nowMs,
      );
      return true;
    }
    const runMs = this.runTimeoutMs(task);
    if (nowMs - Math.max(from ?? 0, attempt.startedAtMs) < runMs) return false;
    this.hooks.stopOnAgent(task, attempt.agentId, `timeout after ${runMs} ms`);
    this.#retryOrEnd(task, 'timeout', `agent ${attempt.agentId} ran it longer than ${runMs} ms`, nowMs);
    return true;
  }

  #finishAttempt(task: TaskRecord, outcome: AttemptOutcome, reason: string | undefined, nowMs: number): void {
    const attempt = activeAttempt(task);
    if (!attempt) return;
    attempt.outcome = outcome;
    attempt.endedAtMs = nowMs;
    if (reason !== undefined) attempt.reason = reason.slice(0, 2048);
    this.#clockFromMs.delete(task.id);
  }

  #retryOrEnd(task: TaskRecord, outcome: AttemptOutcome, reason: string, nowMs: number): void {
    this.#finishAttempt(task, outcome, reason, nowMs);
    const used = task.attempts.length;
    if (used > this.limits.retriesMax) {
      task.reason = `${reason} (attempt ${used}; scheduler.retriesMax ${this.limits.retriesMax} retries used)`.slice(
        0,
        2048,
      );
      const final = outcome === 'timeout' ? 'timed-out' : 'failed';
      if (final === 'failed') this.stats.failed++;
      else this.stats.timedOut++;
      this.#move(task, final, nowMs);
      return;
    }
    task.reason = `attempt ${used} ${outcome}: ${reason}`.slice(0, 2048);
    task.progress = null;
    this.stats.requeued++;
    this.#move(task, 'queued', nowMs);
  }

  #move(task: TaskRecord, state: TaskState, nowMs: number): void {
    const previous = task.state;
    task.state = state;
    task.updatedAtMs = nowMs;
    if (isFinal(state)) task.finishedAtMs = nowMs;
    const dropped = this.store.moved(task, previous);
    this.hooks.transition(task, previous);
    if (dropped.length > 0) this.hooks.dropped(dropped);
  }
}

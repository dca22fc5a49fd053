// Runs assigned tasks with the handler registered for their capability and reports accepted, running (with
// progress), done or failed on task/update. Results and failures are durable (outbox); progress is best effort.
import type { TaskAssignMessage, TaskUpdateMessage } from '../runtime/bus/schemas/task-messages.js';
import { topics } from '../runtime/bus/topics.js';
import type { ClientLink } from './link.js';

export interface TaskContext {
  taskId: string;
  /** 0..1; sent at most every progressIntervalMs */
  progress(fraction: number): void;
  /** aborted when the task's timeoutMs or deadline passes, or the client stops */
  signal: AbortSignal;
}

export type TaskHandler<I = unknown, R = unknown> = (input: I, ctx: TaskContext) => R | Promise<R>;

/** tasks remembered to ignore a repeated assignment */
const TASK_IDS_MAX = 1024;

export class TaskRunner {
  private readonly handlers = new Map<string, TaskHandler>();
  /** runs in progress by task id; `attempt` is the gateway's placement the run answers for (echoed in updates) */
  private readonly running = new Map<string, { ac: AbortController; attempt: number | undefined }>();
  private readonly known = new Set<string>();

  constructor(private readonly link: ClientLink) {}

  on(capability: string, handler: TaskHandler): void {
    this.handlers.set(capability, handler);
  }

  private update(u: TaskUpdateMessage, durable: boolean): void {
    const topic = topics.agent(this.link.agentId, 'taskUpdate');
    if (durable) this.link.sendDurable(topic, u);
    else this.link.send(topic, u);
  }

  assign(task: TaskAssignMessage): void {
    // a retry of the same task on this agent carries a new attempt number; a repeat of one attempt is a duplicate
    const key = `${task?.taskId}#${task?.attempt ?? 0}`;
    if (typeof task?.taskId !== 'string' || this.known.has(key)) return;
    this.known.add(key);
    if (this.known.size > TASK_IDS_MAX) {
      const oldest = this.known.values().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    const inProgress = this.running.get(task.taskId);
    if (inProgress) {
      // placed here again (the gateway lost track of us for a moment): the run in progress answers for the new attempt
      inProgress.attempt = task.attempt;
      this.update(withAttempt({ taskId: task.taskId, state: 'accepted' }, task.attempt), false);
      return;
    }
    const handler = this.handlers.get(task.capability);
    if (!handler) {
      const error = `no handler for capability ${task.capability}`;
      this.update(withAttempt({ taskId: task.taskId, state: 'rejected', error }, task.attempt), true);
      return;
    }
    void this.run(task, handler);
  }

  private async run(task: TaskAssignMessage, handler: TaskHandler): Promise<void> {
    const ac = new AbortController();
    const entry = { ac, attempt: task.attempt };
    this.running.set(task.taskId, entry);
    const send = (u: TaskUpdateMessage, durable: boolean) => this.update(withAttempt(u, entry.attempt), durable);
    const limits = [task.timeoutMs, task.deadlineMs !== undefined ? task.deadlineMs - Date.now() : undefined];
    const ms = Math.min(...limits.filter((x): x is number => x !== undefined));
    const timer = Number.isFinite(ms)
      ? setTimeout(() => ac.abort(new Error(`task ${task.taskId} timed out after ${ms} ms`)), Math.max(0, ms))
      : null;
    send({ taskId: task.taskId, state: 'accepted' }, false);
    let lastMs = 0;
    const ctx: TaskContext = {
      taskId: task.taskId,
      signal: ac.signal,
      progress: (fraction) => {
        const now = Date.now();
        if (now - lastMs < 100 && fraction < 1) return;
        lastMs = now;
        const progress = Math.min(1, Math.max(0, fraction));
        send({ taskId: task.taskId, state: 'running', progress }, false);
      },
    };
    try {
      const result = await handler(task.input, ctx);
      if (ac.signal.aborted) throw ac.signal.reason;
      send({ taskId: task.taskId, state: 'done', progress: 1, ...(result !== undefined ? { result } : {}) }, true);
    } catch (err) {
      send(
        { taskId: task.taskId, state: 'failed', error: String((err as Error)?.message ?? err).slice(0, 2048) },
        true,
      );
    } finally {
      if (timer) clearTimeout(timer);
      if (this.running.get(task.taskId) === entry) this.running.delete(task.taskId);
    }
  }

  /** Aborts a running task (the gateway's `task.cancel` command); true when it was running here. */
  cancel(taskId: string, reason = 'cancelled'): boolean {
    const entry = this.running.get(taskId);
    if (!entry) return false;
    // forget it now: a new placement of the same task that arrives while the handler unwinds starts a fresh run
    this.running.delete(taskId);
    entry.ac.abort(new Error(`task ${taskId} cancelled: ${reason}`));
    return true;
  }

  stop(): void {
    for (const { ac } of this.running.values()) ac.abort(new Error('agent client stopped'));
    this.running.clear();
  }
}

function withAttempt(u: TaskUpdateMessage, attempt: number | undefined): TaskUpdateMessage {
  return attempt === undefined ? u : { ...u, attempt };
}

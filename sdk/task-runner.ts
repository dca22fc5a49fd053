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
  private readonly running = new Map<string, AbortController>();
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
    if (this.running.has(task.taskId)) {
      // placed here again (the gateway lost track of us for a moment): the run in progress answers for it
      this.update({ taskId: task.taskId, state: 'accepted' }, false);
      return;
    }
    const handler = this.handlers.get(task.capability);
    if (!handler) {
      this.update(
        { taskId: task.taskId, state: 'rejected', error: `no handler for capability ${task.capability}` },
        true,
      );
      return;
    }
    void this.run(task, handler);
  }

  private async run(task: TaskAssignMessage, handler: TaskHandler): Promise<void> {
    const ac = new AbortController();
    this.running.set(task.taskId, ac);
    const limits = [task.timeoutMs, task.deadlineMs !== undefined ? task.deadlineMs - Date.now() : undefined];
    const ms = Math.min(...limits.filter((x): x is number => x !== undefined));
    const timer = Number.isFinite(ms)
      ? setTimeout(() => ac.abort(new Error(`task ${task.taskId} timed out after ${ms} ms`)), Math.max(0, ms))
      : null;
    this.update({ taskId: task.taskId, state: 'accepted' }, false);
    let lastMs = 0;
    const ctx: TaskContext = {
      taskId: task.taskId,
      signal: ac.signal,
      progress: (fraction) => {
        const now = Date.now();
        if (now - lastMs < 100 && fraction < 1) return;
        lastMs = now;
        const progress = Math.min(1, Math.max(0, fraction));
        this.update({ taskId: task.taskId, state: 'running', progress }, false);
      },
    };
    try {
      const result = await handler(task.input, ctx);
      if (ac.signal.aborted) throw ac.signal.reason;
      this.update(
        { taskId: task.taskId, state: 'done', progress: 1, ...(result !== undefined ? { result } : {}) },
        true,
      );
    } catch (err) {
      this.update(
        { taskId: task.taskId, state: 'failed', error: String((err as Error)?.message ?? err).slice(0, 2048) },
        true,
      );
    } finally {
      if (timer) clearTimeout(timer);
      this.running.delete(task.taskId);
    }
  }

  /** Aborts a running task (the gateway's `task.cancel` command); true when it was running here. */
  cancel(taskId: string, reason = 'cancelled'): boolean {
    const ac = this.running.get(taskId);
    if (!ac) return false;
    ac.abort(new Error(`task ${taskId} cancelled: ${reason}`));
    return true;
  }

  stop(): void {
    for (const ac of this.running.values()) ac.abort(new Error('agent client stopped'));
    this.running.clear();
  }
}

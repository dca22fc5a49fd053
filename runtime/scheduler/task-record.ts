// One submitted task as the gateway keeps it (store namespace "tasks"): what was asked, where it is in its lifecycle
// queued -> assigned -> running -> done / failed / timed-out / cancelled, and every attempt with its outcome.
import type { TaskState, TaskStateMessage } from '../bus/schemas/task-messages.js';
import type { ResourceVector, TaskView } from './policy.js';

export type AttemptOutcome = 'active' | 'done' | 'failed' | 'rejected' | 'lost' | 'timeout' | 'cancelled';

export interface TaskAttempt {
  agentId: string;
  /** Unix ms */
  assignedAtMs: number;
  /** when the agent accepted it (or first said running), Unix ms */
  startedAtMs: number | null;
  endedAtMs: number | null;
  outcome: AttemptOutcome;
  reason?: string | undefined;
}

export interface TaskRecord {
  id: string;
  /** arrival order; the queue is sorted by it */
  seq: number;
  capability: string;
  demand: ResourceVector;
  estDurationMs: number;
  priority: number;
  deadlineMs: number | null;
  timeoutMs: number | null;
  input?: unknown;
  state: TaskState;
  submittedAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
  attempts: TaskAttempt[];
  /** 0..1 of the current attempt */
  progress: number | null;
  result?: unknown;
  /** why it failed, timed out, was cancelled or last re-queued */
  reason: string | null;
}

const FINAL: ReadonlySet<TaskState> = new Set(['done', 'failed', 'timed-out', 'cancelled']);

export function isFinal(state: TaskState): boolean {
  return FINAL.has(state);
}

/** the attempt running now (assigned or running), if any */
export function activeAttempt(task: TaskRecord): TaskAttempt | undefined {
  const last = task.attempts.at(-1);
  return last?.outcome === 'active' ? last : undefined;
}

/** the policy's view of a waiting task; times on the gateway clock (Unix ms) */
export function taskView(task: TaskRecord): TaskView {
  const view: TaskView = {
    id: task.id,
    capability: task.capability,
    demand: task.demand,
    estDurationMs: task.estDurationMs,
    priority: task.priority,
    arrivalMs: task.submittedAtMs,
    attempts: task.attempts.length,
  };
  if (task.deadlineMs !== null) view.deadlineMs = task.deadlineMs;
  return view;
}

export function stateMessage(task: TaskRecord, nowMs: number): TaskStateMessage {
  const last = task.attempts.at(-1);
  const m: TaskStateMessage = {
    taskId: task.id,
    state: task.state,
    capability: task.capability,
    attempts: task.attempts.length,
    tsMs: nowMs,
  };
  if (last && task.state !== 'queued') m.agentId = last.agentId;
  if (task.progress !== null && task.state === 'running') m.progress = task.progress;
  if (task.reason !== null) m.reason = task.reason;
  if (task.state === 'done' && task.result !== undefined) m.result = task.result;
  return m;
}

/** what tasks.list returns per task: everything but input and result, which tasks.get gives */
export function taskSummary(task: TaskRecord): Omit<TaskRecord, 'input' | 'result'> {
  const { input: _input, result: _result, ...rest } = task;
  return rest;
}

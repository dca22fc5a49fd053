// Task traffic between the gateway's scheduler and an agent. The scheduler (runtime/scheduler) owns the behaviour;
// the wire shape lives here so every message on the bus has a schema in one catalog.
import { capabilitySchema, idSchema, requestIdSchema, tsMsSchema } from './common.js';

export interface TaskAssignMessage {
  taskId: string;
  capability: string;
  input?: unknown;
  /** the agent should give up (and report failed) after this */
  timeoutMs?: number | undefined;
  /** absolute deadline, Unix ms */
  deadlineMs?: number | undefined;
  /** 1 for the first placement, 2 for the first retry...; a repeat of the same (taskId, attempt) is a duplicate */
  attempt?: number | undefined;
}

export const taskAssignSchema = {
  $id: 'agentos/v1/task-assign',
  title: 'task assignment (gateway to agent)',
  type: 'object',
  additionalProperties: false,
  required: ['taskId', 'capability'],
  properties: {
    taskId: requestIdSchema,
    capability: capabilitySchema,
    input: {},
    timeoutMs: { type: 'integer', minimum: 1 },
    deadlineMs: { type: 'integer', minimum: 0 },
    attempt: {
      type: 'integer',
      minimum: 1,
      description: 'placement number; a repeat of (taskId, attempt) is a duplicate',
    },
  },
};

export type TaskUpdateState = 'accepted' | 'running' | 'done' | 'failed' | 'rejected';

export interface TaskUpdateMessage {
  /** set by the SDK's durable outbox; repeats are dropped */
  msgId?: string | undefined;
  taskId: string;
  /** the assignment's attempt this update is about (echoed by the SDK); an update for an older attempt is ignored */
  attempt?: number | undefined;
  state: TaskUpdateState;
  /** 0..1 */
  progress?: number | undefined;
  result?: unknown;
  error?: string | undefined;
}

export const taskUpdateSchema = {
  $id: 'agentos/v1/task-update',
  title: 'task progress and result (agent to gateway)',
  type: 'object',
  additionalProperties: false,
  required: ['taskId', 'state'],
  properties: {
    msgId: requestIdSchema,
    taskId: requestIdSchema,
    attempt: { type: 'integer', minimum: 1, description: 'the attempt of task/assign this update is about' },
    state: { enum: ['accepted', 'running', 'done', 'failed', 'rejected'] },
    progress: { type: 'number', minimum: 0, maximum: 1 },
    result: {},
    error: { type: 'string', maxLength: 2048 },
  },
};

// ---- the live task lifecycle (runtime/scheduler): submit parameters and the published state of a task ----

export interface TaskDemand {
  /** cores */
  cpu?: number | undefined;
  /** MiB */
  memoryMb?: number | undefined;
  /** kbit/s */
  bandwidthKbps?: number | undefined;
}

/** params of the `tasks.submit` API method (and the SDK's TaskClient.submit) */
export interface TaskSubmitParams {
  /** client-chosen id; submitting an existing id returns that task instead of a new one (safe retries) */
  taskId?: string | undefined;
  capability: string;
  demand?: TaskDemand | undefined;
  /** estimated duration on an agent of speed 1.0 */
  estDurationMs: number;
  /** 0 (lowest, the default) .. 9 (highest) */
  priority?: number | undefined;
  /** absolute deadline, Unix ms; a task not done by then ends timed-out */
  deadlineMs?: number | undefined;
  /** one attempt may run this long on an agent; default from scheduler.runTimeoutFactor x estDurationMs */
  timeoutMs?: number | undefined;
  input?: unknown;
}

const ESTIMATE_MS_MAX = 7 * 24 * 3600 * 1000;

export const taskDemandSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cpu: { type: 'number', minimum: 0, maximum: 1024, description: 'cores' },
    memoryMb: { type: 'number', minimum: 0, maximum: 16777216, description: 'MiB' },
    bandwidthKbps: { type: 'number', minimum: 0, maximum: 100000000, description: 'kbit/s' },
  },
};

export const taskSubmitSchema = {
  $id: 'agentos/v1/task-submit',
  title: 'task submission (params of tasks.submit)',
  type: 'object',
  additionalProperties: false,
  required: ['capability', 'estDurationMs'],
  properties: {
    taskId: { ...idSchema, description: 'optional client-chosen id; a repeat returns the existing task' },
    capability: capabilitySchema,
    demand: taskDemandSchema,
    estDurationMs: { type: 'integer', minimum: 1, maximum: ESTIMATE_MS_MAX, description: 'ms at speed 1.0' },
    priority: { type: 'integer', minimum: 0, maximum: 9, description: '0 (lowest, default) .. 9' },
    deadlineMs: { type: 'integer', minimum: 0, description: 'absolute deadline, Unix ms' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: ESTIMATE_MS_MAX, description: 'one attempt, ms' },
    input: { description: 'handed to the agent as is' },
  },
};

export type TaskState = 'queued' | 'assigned' | 'running' | 'done' | 'failed' | 'timed-out' | 'cancelled';

export const TASK_FINAL_STATES: readonly TaskState[] = ['done', 'failed', 'timed-out', 'cancelled'];

/** published (retained) on agentos/v1/tasks/{taskId}/state at every transition */
export interface TaskStateMessage {
  taskId: string;
  state: TaskState;
  capability: string;
  /** attempts placed so far (1 on the first assignment) */
  attempts: number;
  /** the agent of the current or last attempt */
  agentId?: string | undefined;
  /** 0..1 of the current attempt, when the agent reported it */
  progress?: number | undefined;
  /** why it failed, timed out, was cancelled or re-queued */
  reason?: string | undefined;
  /** done only */
  result?: unknown;
  tsMs: number;
}

export const taskStateSchema = {
  $id: 'agentos/v1/task-state',
  title: 'task state (gateway, retained)',
  type: 'object',
  additionalProperties: false,
  required: ['taskId', 'state', 'capability', 'attempts', 'tsMs'],
  properties: {
    taskId: idSchema,
    state: { enum: ['queued', 'assigned', 'running', 'done', 'failed', 'timed-out', 'cancelled'] },
    capability: capabilitySchema,
    attempts: { type: 'integer', minimum: 0 },
    agentId: idSchema,
    progress: { type: 'number', minimum: 0, maximum: 1 },
    reason: { type: 'string', maxLength: 2048 },
    result: {},
    tsMs: tsMsSchema,
  },
};

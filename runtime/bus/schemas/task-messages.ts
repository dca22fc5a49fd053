// Task traffic between the gateway's scheduler and an agent. The scheduler (runtime/scheduler) owns the behaviour;
// the wire shape lives here so every message on the bus has a schema in one catalog.
import { capabilitySchema, requestIdSchema } from './common.js';

export interface TaskAssignMessage {
  taskId: string;
  capability: string;
  input?: unknown;
  /** the agent should give up (and report failed) after this */
  timeoutMs?: number | undefined;
  /** absolute deadline, Unix ms */
  deadlineMs?: number | undefined;
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
  },
};

export type TaskUpdateState = 'accepted' | 'running' | 'done' | 'failed' | 'rejected';

export interface TaskUpdateMessage {
  /** set by the SDK's durable outbox; repeats are dropped */
  msgId?: string | undefined;
  taskId: string;
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
    state: { enum: ['accepted', 'running', 'done', 'failed', 'rejected'] },
    progress: { type: 'number', minimum: 0, maximum: 1 },
    result: {},
    error: { type: 'string', maxLength: 2048 },
  },
};

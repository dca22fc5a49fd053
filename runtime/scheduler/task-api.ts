// The scheduler's gateway API methods: tasks.submit, tasks.get, tasks.list, tasks.cancel (docs/PROTOCOL.md lists them
// with their params schemas). Registered in the component's constructor so the generated docs include them.
import type { ApiRouter } from '../bus/api-router.js';
import { ApiError } from '../bus/api-router.js';
import { idSchema } from '../bus/schemas/common.js';
import { type TaskState, type TaskSubmitParams, taskSubmitSchema } from '../bus/schemas/task-messages.js';
import type { TaskRecord } from './task-record.js';
import { taskSummary } from './task-record.js';

export interface TaskService {
  /** resolves once the task is on disk */
  submit(params: TaskSubmitParams): Promise<{ task: TaskRecord; created: boolean }>;
  get(taskId: string): TaskRecord | undefined;
  list(): TaskRecord[];
  cancel(taskId: string, reason: string): TaskRecord;
  /** calls `listener` with the task's id after each of its transitions (when its state is published), synchronously
   * inside the call that made it (submit, cancel, an agent's update): defer anything that changes tasks. The result
   * removes the listener. A listener's failure is logged and does not reach the scheduler. */
  onChange(listener: (taskId: string) => void): () => void;
}

interface ListParams {
  state?: TaskState | undefined;
  capability?: string | undefined;
  agentId?: string | undefined;
  limit?: number | undefined;
}

const LIST_LIMIT_MAX = 1000;

const stateEnum = ['queued', 'assigned', 'running', 'done', 'failed', 'timed-out', 'cancelled'];

export function registerTaskMethods(api: ApiRouter, service: TaskService): Array<() => void> {
  const { $id: _id, title: _title, ...submitParams } = taskSubmitSchema;
  return [
    api.register<TaskSubmitParams>('tasks.submit', {
      summary:
        'submit a task (capability, demand, estimated duration, priority, optional deadline and input); answers ' +
        '{ task, created } once it is stored, or limit_reached when the queue is full',
      params: submitParams,
      handler: async (p) => {
        const { task, created } = await service.submit(p);
        return { task: taskSummary(task), created };
      },
    }),
    api.register<{ taskId: string }>('tasks.get', {
      summary: 'one task with its attempts, input and result',
      params: taskIdParams(),
      handler: ({ taskId }) => ({ task: found(service.get(taskId), taskId) }),
    }),
    api.register<ListParams>('tasks.list', {
      summary: 'tasks known to the gateway (newest first, without input and result), optionally filtered',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          state: { enum: stateEnum },
          capability: { type: 'string', maxLength: 64 },
          agentId: idSchema,
          limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, description: 'default 100' },
        },
      },
      handler: (p) => ({ tasks: list(service.list(), p).map(taskSummary) }),
    }),
    api.register<{ taskId: string; reason?: string }>('tasks.cancel', {
      summary:
        'cancel a task that is queued, assigned or running (the agent is told to stop); a finished task is returned unchanged',
      params: {
        ...taskIdParams(),
        properties: { taskId: idSchema, reason: { type: 'string', maxLength: 256 } },
      },
      handler: ({ taskId, reason }) => ({
        task: taskSummary(service.cancel(taskId, reason ?? 'cancelled by request')),
      }),
    }),
  ];
}

function taskIdParams() {
  return { type: 'object', additionalProperties: false, required: ['taskId'], properties: { taskId: idSchema } };
}

function found(task: TaskRecord | undefined, taskId: string): TaskRecord {
  if (!task) throw new ApiError('not_found', `no task ${taskId}`, 'params.taskId');
  return task;
}

function list(all: TaskRecord[], p: ListParams): TaskRecord[] {
  const out = all.filter(
    (t) =>
      (p.state === undefined || t.state === p.state) &&
      (p.capability === undefined || t.capability === p.capability) &&
      (p.agentId === undefined || t.attempts.some((a) => a.agentId === p.agentId)),
  );
  out.sort((a, b) => b.seq - a.seq);
  return out.slice(0, p.limit ?? 100);
}

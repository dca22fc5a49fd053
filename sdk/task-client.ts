// Submitting work to a gateway's scheduler from a program: submit a task, read it, list, cancel, and wait for it to
// finish. One API connection (runtime/bus/api-client.ts); errors are ApiCallError with the gateway's error body (a
// bad field is named, e.g. "params.demand.cpu"; a full queue is limit_reached).
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type ApiClientOptions } from '../runtime/bus/api-client.js';
import type { TaskState, TaskSubmitParams } from '../runtime/bus/schemas/task-messages.js';
import type { TaskRecord } from '../runtime/scheduler/task-record.js';

export type { TaskRecord, TaskState, TaskSubmitParams };

const FINAL: ReadonlySet<TaskState> = new Set(['done', 'failed', 'timed-out', 'cancelled']);
const POLL_MS = 100;

export class TaskClient {
  private constructor(private readonly api: ApiClient) {}

  static async connect(options: ApiClientOptions): Promise<TaskClient> {
    return new TaskClient(await ApiClient.connect(options));
  }

  /** resolves once the gateway stored the task; `created` is false when taskId named an existing task */
  submit(task: TaskSubmitParams): Promise<{ task: TaskRecord; created: boolean }> {
    return this.api.call('tasks.submit', task as unknown as Record<string, unknown>);
  }

  async get(taskId: string): Promise<TaskRecord> {
    return (await this.api.call<{ task: TaskRecord }>('tasks.get', { taskId })).task;
  }

  async list(filter: { state?: TaskState; capability?: string; agentId?: string; limit?: number } = {}) {
    return (await this.api.call<{ tasks: TaskRecord[] }>('tasks.list', filter)).tasks;
  }

  async cancel(taskId: string, reason?: string): Promise<TaskRecord> {
    const params = reason === undefined ? { taskId } : { taskId, reason };
    return (await this.api.call<{ task: TaskRecord }>('tasks.cancel', params)).task;
  }

  /** polls until the task is done, failed, timed-out or cancelled; rejects after timeoutMs naming the task */
  async wait(taskId: string, timeoutMs = 60000): Promise<TaskRecord> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.get(taskId);
      if (FINAL.has(task.state)) return task;
      if (Date.now() > until) throw new Error(`Timeout after ${timeoutMs} ms [task=${taskId} state=${task.state}]`);
      await sleep(POLL_MS);
    }
  }

  close(): Promise<void> {
    return this.api.close();
  }
}

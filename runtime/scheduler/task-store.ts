// The gateway's tasks, kept in the core's store (namespace "tasks", written in batches with the rest of the state), plus
// the waiting queue in arrival order. Finished tasks stay with their results until `finishedTasksMax` newer ones
// finished. Nothing here publishes or times anything; task-lifecycle.ts drives it.

import type { Store } from '../store/store.js';
import { fairWindow } from './observation-window.js';
import { isFinal, type TaskRecord } from './task-record.js';

interface TasksDocument {
  /** last arrival sequence number handed out */
  seq: number;
  tasks: Record<string, TaskRecord>;
}

export interface TaskStoreOptions {
  store: Store;
  finishedTasksMax: number;
}

const NAMESPACE = 'tasks';

export class TaskStore {
  readonly #o: TaskStoreOptions;
  #doc: TasksDocument | undefined;
  /** ids of queued tasks, sorted by seq */
  #queue: string[] = [];
  /** ids of finished tasks, oldest first */
  #finished: string[] = [];
  #activeCount = 0;

  constructor(options: TaskStoreOptions) {
    this.#o = options;
  }

  /** loads the namespace (the store is started); idempotent */
  load(): void {
    if (this.#doc) return;
    this.#doc = this.#o.store.namespace<TasksDocument>(NAMESPACE, () => ({ seq: 0, tasks: {} }));
    const all = Object.values(this.#doc.tasks);
    this.#queue = all
      .filter((t) => t.state === 'queued')
      .sort((a, b) => a.seq - b.seq)
      .map((t) => t.id);
    this.#finished = all
      .filter((t) => isFinal(t.state))
      .sort((a, b) => (a.finishedAtMs ?? 0) - (b.finishedAtMs ?? 0))
      .map((t) => t.id);
    this.#activeCount = all.length - this.#finished.length;
  }

  unload(): void {
    this.#doc = undefined;
    this.#queue = [];
    this.#finished = [];
    this.#activeCount = 0;
  }

  #tasks(): Record<string, TaskRecord> {
    if (!this.#doc) throw new Error('task store not loaded');
    return this.#doc.tasks;
  }

  get loaded(): boolean {
    return this.#doc !== undefined;
  }

  get(taskId: string): TaskRecord | undefined {
    const tasks = this.#tasks();
    return Object.hasOwn(tasks, taskId) ? tasks[taskId] : undefined;
  }

  /** tasks waiting, assigned or running */
  get activeCount(): number {
    return this.#activeCount;
  }

  get queuedCount(): number {
    return this.#queue.length;
  }

  get finishedCount(): number {
    return this.#finished.length;
  }

  nextSeq(): number {
    const doc = this.#doc;
    if (!doc) throw new Error('task store not loaded');
    doc.seq += 1;
    return doc.seq;
  }

  /** at most `max` queued tasks in arrival order: each capability's oldest, shared fairly (observation-window.ts) */
  queued(max = Number.POSITIVE_INFINITY): TaskRecord[] {
    const all: TaskRecord[] = [];
    for (const id of this.#queue) {
      const t = this.get(id);
      if (t) all.push(t);
    }
    return all.length <= max ? all : fairWindow(all, (t) => t.capability, max);
  }

  /** every task not finished (queued, assigned, running) */
  active(): TaskRecord[] {
    return Object.values(this.#tasks()).filter((t) => !isFinal(t.state));
  }

  all(): TaskRecord[] {
    return Object.values(this.#tasks());
  }

  add(task: TaskRecord): void {
    const tasks = this.#tasks();
    if (Object.hasOwn(tasks, task.id)) throw new Error(`task ${task.id} already exists`);
    tasks[task.id] = task;
    this.#activeCount++;
    if (task.state === 'queued') this.#enqueue(task);
    this.changed();
  }

  /**
   * Records a state change made by the caller on `task` (from `previous`): keeps the queue, the counts and the
   * finished list in step, and returns the ids of finished tasks dropped to stay within finishedTasksMax.
   */
  moved(task: TaskRecord, previous: TaskRecord['state']): string[] {
    if (previous === 'queued' && task.state !== 'queued') this.#dequeue(task.id);
    if (previous !== 'queued' && task.state === 'queued') this.#enqueue(task);
    let dropped: string[] = [];
    if (!isFinal(previous) && isFinal(task.state)) {
      this.#activeCount--;
      this.#finished.push(task.id);
      dropped = this.#prune();
    }
    this.changed();
    return dropped;
  }

  /** the document changed; the store writes it within its flush interval */
  changed(): void {
    this.#o.store.markDirty();
  }

  /** writes now (a submit is acknowledged only once it is on disk) */
  flush(): Promise<void> {
    return this.#o.store.flush();
  }

  #enqueue(task: TaskRecord): void {
    // binary search on seq: a re-queued task goes back to its arrival position
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.get(this.#queue[mid]!);
      if ((other?.seq ?? 0) < task.seq) lo = mid + 1;
      else hi = mid;
    }
    this.#queue.splice(lo, 0, task.id);
  }

  #dequeue(taskId: string): void {
    const i = this.#queue.indexOf(taskId);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  #prune(): string[] {
    const dropped: string[] = [];
    const tasks = this.#tasks();
    while (this.#finished.length > this.#o.finishedTasksMax) {
      const id = this.#finished.shift()!;
      delete tasks[id];
      dropped.push(id);
    }
    return dropped;
  }
}

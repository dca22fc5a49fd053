// The simulator's queue of waiting tasks (task indices in arrival order) and the observation window over it: at most
// `windowMax` tasks, each capability's oldest (runtime/scheduler/observation-window.ts, the gateway's rule), shared
// between observations while the queue is unchanged (never mutated once shown).
import { fairWindow } from '../../runtime/scheduler/observation-window.js';
import type { TaskView } from '../../runtime/scheduler/policy.js';

export class WaitingQueue {
  private readonly items: number[] = [];
  /** bumped whenever the head (the first windowMax items) may have changed */
  private version = 0;
  private window: TaskView[] | undefined;
  private windowVersion = -1;
  /** per task: the version of the last window that showed it */
  private readonly shownIn: Int32Array;

  constructor(
    taskCount: number,
    readonly windowMax: number,
    /** per task: its capability's number, so the window can be shared by capability */
    private readonly capabilityOf: Int32Array = new Int32Array(taskCount),
  ) {
    if (!(windowMax >= 1)) throw new TypeError('SimOptions.tasksWindowMax must be >= 1');
    this.shownIn = new Int32Array(taskCount).fill(-1);
  }

  get length(): number {
    return this.items.length;
  }

  /** A new arrival: tasks arrive in index order, so it goes last (and may enter the window of its capability). */
  push(task: number): void {
    this.version++;
    this.items.push(task);
  }

  /** A task back from a failed agent: it keeps its place by arrival. */
  reinsert(task: number): void {
    const xs = this.items;
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]! < task) lo = mid + 1;
      else hi = mid;
    }
    xs.splice(lo, 0, task);
    this.version++;
  }

  /** Drops the tasks for which `keep` is false, in place. */
  retain(keep: (task: number) => boolean): void {
    const xs = this.items;
    let k = 0;
    for (let i = 0; i < xs.length; i++) if (keep(xs[i]!)) xs[k++] = xs[i]!;
    xs.length = k;
    this.version++;
  }

  /** The window for an observation; `view(task)` gives a task's current view. */
  head(view: (task: number) => TaskView): readonly TaskView[] {
    if (!this.window || this.windowVersion !== this.version) {
      const shown = fairWindow(this.items, (task) => this.capabilityOf[task]!, this.windowMax);
      const tasks: TaskView[] = new Array(shown.length);
      for (let k = 0; k < shown.length; k++) {
        const task = shown[k]!;
        this.shownIn[task] = this.version;
        tasks[k] = view(task);
      }
      this.window = tasks;
      this.windowVersion = this.version;
    }
    return this.window;
  }

  /** True when the task is in the window most recently returned by head() and the head has not changed since. */
  inCurrentWindow(task: number): boolean {
    return this.windowVersion === this.version && this.shownIn[task] === this.version;
  }
}

// Per-capability queue context of one observation for the learned scheduler's schema-v2 features: how many tasks of
// each capability wait, their summed estimated work and their durations in order (for a task's rank within its own
// capability). The observation window is shared by capability (observation-window.ts), so a task's place in its own
// capability's queue and the pressure on that capability's agent pool say more about its urgency than its place in the
// whole window. Buffers are reused between observations (high-water mark), so a decision allocates (almost) nothing.
import type { TaskView } from './policy.js';

export interface CapabilityQueue {
  /** observation stamp this entry was computed for */
  stamp: number;
  /** waiting tasks of the capability in the observation */
  waiting: number;
  /** their estDurationMs ascending, in durations[0..waiting) */
  durations: Float64Array;
  /** sum of their estDurationMs (observation order), ms */
  workMs: number;
}

/**
 * distinct capability strings remembered between observations before the map is cleared (bounds its memory, with at
 * most one observation's capabilities on top)
 */
const CAPABILITY_QUEUES_MAX = 1024;

export class CapabilityQueues {
  private readonly queues = new Map<string, CapabilityQueue>();
  private stamp = 0;

  /** Recomputes every capability's queue from the observation's tasks. */
  update(tasks: readonly TaskView[]): void {
    const stamp = ++this.stamp;
    // cleared before, never during, an update: an entry made earlier in this observation must not be lost
    if (this.queues.size >= CAPABILITY_QUEUES_MAX) this.queues.clear();
    for (const t of tasks) {
      let q = this.queues.get(t.capability);
      if (!q) {
        q = { stamp: 0, waiting: 0, durations: new Float64Array(16), workMs: 0 };
        this.queues.set(t.capability, q);
      }
      if (q.stamp !== stamp) {
        q.stamp = stamp;
        q.waiting = 0;
        q.workMs = 0;
      }
      if (q.waiting === q.durations.length) {
        const grown = new Float64Array(2 * q.durations.length);
        grown.set(q.durations);
        q.durations = grown;
      }
      q.durations[q.waiting++] = t.estDurationMs;
      q.workMs += t.estDurationMs;
    }
    for (const q of this.queues.values()) if (q.stamp === stamp) q.durations.subarray(0, q.waiting).sort();
  }

  /** The queue of `capability` in the last observation (undefined when none of its tasks waits). */
  get(capability: string): CapabilityQueue | undefined {
    const q = this.queues.get(capability);
    return q?.stamp === this.stamp ? q : undefined;
  }
}

/** Fraction of the capability's waiting tasks with a strictly shorter estDurationMs (binary search). */
export function rankWithin(q: CapabilityQueue, estDurationMs: number): number {
  const n = q.waiting;
  if (n <= 1) return 0;
  const d = q.durations;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d[mid]! < estDurationMs) lo = mid + 1;
    else hi = mid;
  }
  return lo / (n - 1);
}

// Which waiting tasks a policy is shown when the queue is longer than the observation window. Showing only the oldest
// tasks lets one backlogged capability fill the window: in overload the window held nothing but, say, `sense.read`
// tasks while agents able to run the tasks behind them sat idle (head-of-line blocking across capabilities; at load
// 1.5 on train-v1 it tripled the mean slowdown of every policy). So the window is shared by capability: each
// capability shows its oldest tasks, the slots water-filled so a capability with few waiting tasks shows all of them
// and the backlogged ones share the rest equally (ties to the older task). Used by the gateway and the simulator alike.

/**
 * Waiting tasks shown to the policy per decision, by default (the gateway's `scheduler.observationTasksMax` and the
 * simulator's `tasksWindowMax`). 256 rather than 64: in bursty overload a deeper window lets the policy reach the short
 * tasks behind the oldest ones (tuned Hungarian on bursty-v2, test seeds: mean slowdown 4% lower at load 0.9, 13-24%
 * at 1.1-1.5; the learned policy about as much; docs/scheduler/baselines.md), at a small cost per decision.
 */
export const OBSERVATION_TASKS_DEFAULT = 256;

/**
 * The window over `items` (in arrival order): at most `max` of them, in arrival order, such that every key's oldest
 * items are shown and no key shows more than one item beyond another key that has more waiting.
 */
export function fairWindow<T, K>(items: readonly T[], keyOf: (item: T) => K, max: number): T[] {
  if (!(max >= 1)) throw new RangeError(`fairWindow: max must be >= 1, got ${max}`);
  if (items.length <= max) return items.slice();
  const counts = new Map<K, number>();
  for (const it of items) {
    const k = keyOf(it);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const level = waterLevel([...counts.values()], max);
  // items ranked below `level` within their key are shown; of those ranked exactly `level`, the oldest fill the rest
  let extra = max - shownBelow([...counts.values()], level);
  const rank = new Map<K, number>();
  const out: T[] = [];
  for (const it of items) {
    const k = keyOf(it);
    const r = rank.get(k) ?? 0;
    rank.set(k, r + 1);
    if (r < level) out.push(it);
    else if (r === level && extra > 0) {
      out.push(it);
      extra--;
    }
  }
  return out;
}

/** Items shown when every key shows at most `level` of its items. */
function shownBelow(counts: readonly number[], level: number): number {
  let s = 0;
  for (const c of counts) s += Math.min(c, level);
  return s;
}

/** The largest level whose shown count fits in `max` (binary search; shownBelow grows with the level). */
function waterLevel(counts: readonly number[], max: number): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (shownBelow(counts, mid) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

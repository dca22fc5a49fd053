// Binary min-heap of simulator events keyed by (time, insertion sequence), so events at the same time are handled in
// the order they were scheduled and the run is deterministic.

export enum EventKind {
  Completion = 0,
  Failure = 1,
  Recovery = 2,
  BatteryEmpty = 3,
  BatteryFull = 4,
}

export interface SimEvent {
  timeMs: number;
  seq: number;
  kind: EventKind;
  agent: number;
  /** run id for completions, battery version for battery events */
  ref: number;
}

export class EventHeap {
  private readonly items: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    return this.items.length > 0 ? this.items[0]!.timeMs : Number.POSITIVE_INFINITY;
  }

  push(timeMs: number, kind: EventKind, agent: number, ref: number): void {
    const e: SimEvent = { timeMs, seq: this.seq++, kind, agent, ref };
    const items = this.items;
    let i = items.length;
    items.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!less(e, parent)) break;
      items[i] = parent;
      i = p;
    }
    items[i] = e;
  }

  pop(): SimEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(items[r]!, items[l]!) ? r : l;
      if (!less(items[c]!, last)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = last;
    return top;
  }
}

function less(a: SimEvent, b: SimEvent): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

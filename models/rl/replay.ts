// Experience replay for the per-candidate DQN. A transition is the feature row of the chosen (task, agent) pair (or
// the wait row), the reward until the next decision, the discount for the time that passed, and the candidate rows of
// the next decision (shared by every placement made in the same decision, so each next state is stored once).
import { FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import type { Rng } from './rng.js';

export interface NextState {
  features: Float32Array;
  rows: number;
  /** max_a' Q_target(s', a') cached per target-network version (the target net changes only at a sync) */
  cachedVersion: number;
  cachedMax: number;
}

export interface Transition {
  x: Float32Array;
  reward: number;
  /** gamma ** (elapsed ms / tau ms); 0 at the end of an episode */
  discount: number;
  next: NextState | null;
  /**
   * For demonstration transitions only: feature rows of alternatives the demonstrator did not choose in the same
   * state (the online net's strongest rivals and the wait row), for the large-margin loss of DQfD.
   */
  alt: Float32Array | null;
  altRows: number;
}

export class Replay {
  private readonly items: Transition[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError(`Replay: capacity must be > 0, got ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  push(t: Transition): void {
    if (t.x.length !== FEATURE_COUNT)
      throw new RangeError(`Replay.push: x has ${t.x.length} != ${FEATURE_COUNT} features`);
    if (this.items.length < this.capacity) this.items.push(t);
    else this.items[this.head] = t;
    this.head = (this.head + 1) % this.capacity;
  }

  sample(n: number, rng: Rng): Transition[] {
    const out: Transition[] = [];
    for (let i = 0; i < n; i++) out.push(this.items[rng.int(this.items.length)]!);
    return out;
  }
}

// A small seeded PRNG (mulberry32): deterministic, fast, good enough for election jitter and simulation choices.
import { mulberry32Next } from '../../util/mulberry32.js';
import type { Rng } from './types.js';

export class SeededRng implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    const step = mulberry32Next(this.state);
    this.state = step.state;
    return step.value;
  }

  nextInt(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.nextInt(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

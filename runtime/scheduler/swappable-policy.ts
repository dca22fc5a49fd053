// A policy whose implementation can be replaced while the gateway runs (a retrained model), without a restart. The
// swap is logged with the reason; decisions already in flight finish on the policy they started with.
import type { Observation, Placement, Policy } from './policy.js';

export interface SwapLogger {
  info(msg: string): void;
}

export class SwappablePolicy implements Policy {
  private current: Policy;
  private swaps = 0;
  /** decisions still running per policy (a native session must not be released under them) */
  readonly #pending = new Map<Policy, Set<Promise<readonly Placement[]>>>();

  constructor(
    initial: Policy,
    private readonly logger: SwapLogger,
  ) {
    this.current = initial;
  }

  get name(): string {
    return this.current.name;
  }

  get freeTime(): Policy['freeTime'] {
    return this.current.freeTime;
  }

  get active(): Policy {
    return this.current;
  }

  get swapCount(): number {
    return this.swaps;
  }

  decide(obs: Observation): readonly Placement[] | Promise<readonly Placement[]> {
    const policy = this.current;
    const r = policy.decide(obs);
    if (!(r instanceof Promise)) return r;
    const set = this.#pending.get(policy) ?? new Set();
    this.#pending.set(policy, set);
    const tracked: Promise<readonly Placement[]> = r.finally(() => {
      set.delete(tracked);
      if (set.size === 0 && this.#pending.get(policy) === set) this.#pending.delete(policy);
    });
    set.add(tracked);
    return tracked;
  }

  /** resolves once every decision started on `policy` has finished (so the caller may release it) */
  async settled(policy: Policy): Promise<void> {
    const set = this.#pending.get(policy);
    if (set) await Promise.allSettled([...set]);
  }

  /** Replaces the policy; returns the previous one so the caller can release it. */
  swap(next: Policy, reason: string): Policy {
    const previous = this.current;
    this.current = next;
    this.swaps++;
    this.logger.info(`scheduler: policy swapped "${previous.name}" -> "${next.name}" (${reason})`);
    return previous;
  }
}

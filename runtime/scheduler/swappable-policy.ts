// A policy whose implementation can be replaced while the gateway runs (a retrained model), without a restart. The
// swap is logged with the reason; decisions already in flight finish on the policy they started with.
import type { Observation, Placement, Policy } from './policy.js';

export interface SwapLogger {
  info(msg: string): void;
}

export class SwappablePolicy implements Policy {
  private current: Policy;
  private swaps = 0;

  constructor(
    initial: Policy,
    private readonly logger: SwapLogger,
  ) {
    this.current = initial;
  }

  get name(): string {
    return this.current.name;
  }

  get active(): Policy {
    return this.current;
  }

  get swapCount(): number {
    return this.swaps;
  }

  decide(obs: Observation): readonly Placement[] | Promise<readonly Placement[]> {
    return this.current.decide(obs);
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

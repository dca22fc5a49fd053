// A token bucket that may go into debt: a message taken from an empty bucket is still counted, and the returned
// wait says how long the sender must be held back so that its long-run rate is `ratePerS`.

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerS > 0) || !(burst >= 1)) {
      throw new RangeError(`token bucket: ratePerS must be > 0 and burst >= 1, got ${ratePerS} and ${burst}`);
    }
    this.tokens = burst;
    this.lastMs = now();
  }

  /** Takes `n` tokens; returns 0 when they were available, else the ms until the debt is paid back. */
  take(n = 1): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.lastMs) * this.ratePerS) / 1000);
    this.lastMs = t;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.ratePerS;
  }
}

// When will a running task finish? A task's estimate is only its expected run time: with noisy durations a task that
// has already run longer than its estimate is not "about to finish", it is likely one of the long ones. The overrun
// model learns how actual run times relate to estimated ones (ratio = actual / estimated, both at the agent's speed)
// from the tasks the gateway saw finish, fits a lognormal to the last `samplesMax` ratios, and predicts a running
// task's end as the expected run time *given the time it has already run*:
//   end = start + expected x E[F | F > elapsed / expected],   F ~ lognormal(mu, sigma) fitted to the ratios.
// Until `samplesMin` ratios are seen it predicts exactly what the estimate says: max(start + expected, now).
// Bounded: a ring of samplesMax ratios, O(1) per observation and per prediction.

/**
 * How a busy agent's free time is predicted: 'estimate', each run ends at start + estimate / speed (a run past that
 * "ends now"); 'fitted', by an OverrunModel given how long each run has already taken.
 */
export type FreeTimeModel = 'estimate' | 'fitted';
export const FREE_TIME_MODELS: readonly FreeTimeModel[] = ['estimate', 'fitted'];

export interface OverrunModelOptions {
  /** ratios kept (the most recent); default 512 */
  samplesMax?: number | undefined;
  /** ratios needed before the fit is used; default 32 */
  samplesMin?: number | undefined;
}

export interface OverrunFit {
  /** mean and standard deviation of ln(actual / estimated) over the kept ratios */
  mu: number;
  sigma: number;
  samples: number;
}

/** ratios outside [1/1000, 1000] are clamped: one absurd report must not own the fit */
const RATIO_MIN = 1e-3;
const RATIO_MAX = 1e3;
/** below this log-space spread the durations are taken as exact (no tail worth modelling) */
const SIGMA_MIN = 1e-3;

export class OverrunModel {
  readonly samplesMax: number;
  readonly samplesMin: number;
  private readonly logs: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;
  private sumSq = 0;
  private fitCache: OverrunFit | null = null;
  private fitVersion = -1;
  /** bumped by every observation (so cached predictions can tell they are stale) */
  version = 0;

  constructor(options: OverrunModelOptions = {}) {
    const max = options.samplesMax ?? 512;
    const min = options.samplesMin ?? 32;
    if (!(Number.isInteger(max) && max >= 2 && max <= 1_000_000))
      throw new RangeError(`overrun model: samplesMax must be an integer in 2..1000000, got ${max}`);
    if (!(Number.isInteger(min) && min >= 2 && min <= max))
      throw new RangeError(`overrun model: samplesMin must be an integer in 2..samplesMax (${max}), got ${min}`);
    this.samplesMax = max;
    this.samplesMin = min;
    this.logs = new Float64Array(max);
  }

  /** One finished task: its actual run time over its estimated one (same agent speed). Non-finite or <= 0 is ignored. */
  observe(ratio: number): void {
    if (!(ratio > 0) || !Number.isFinite(ratio)) return;
    const x = Math.log(Math.min(RATIO_MAX, Math.max(RATIO_MIN, ratio)));
    if (this.count === this.samplesMax) {
      const old = this.logs[this.next]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.count++;
    this.logs[this.next] = x;
    this.next = (this.next + 1) % this.samplesMax;
    this.sum += x;
    this.sumSq += x * x;
    this.version++;
    // the running sums drift when old values leave; recompute them exactly once per pass over the ring
    if (this.next === 0) this.resum();
  }

  /** ratios kept (at most samplesMax) */
  get samples(): number {
    return this.count;
  }

  /** The fitted lognormal, or null while fewer than samplesMin ratios were seen. */
  fit(): OverrunFit | null {
    if (this.count < this.samplesMin) return null;
    if (this.fitVersion !== this.version) {
      const n = this.count;
      const mu = this.sum / n;
      const variance = Math.max(0, (this.sumSq - n * mu * mu) / (n - 1));
      this.fitCache = { mu, sigma: Math.sqrt(variance), samples: n };
      this.fitVersion = this.version;
    }
    return this.fitCache;
  }

  /**
   * Expected run time in units of the estimate, given that the task has run `elapsed` estimates so far:
   * E[F | F > elapsed]. Without a fit: max(1, elapsed), what the estimate alone says.
   */
  expectedFactor(elapsed: number): number {
    const f = this.fit();
    if (f === null) return Math.max(1, elapsed);
    if (f.sigma < SIGMA_MIN) return Math.max(Math.exp(f.mu), elapsed);
    if (!(elapsed > 0)) return Math.exp(f.mu + (f.sigma * f.sigma) / 2);
    return conditionalLognormalMean(elapsed, f.mu, f.sigma);
  }

  /** Predicted end of a run that started at startMs and is estimated to take expectedMs; always >= nowMs. */
  expectedEndMs(startMs: number, expectedMs: number, nowMs: number): number {
    if (!(expectedMs > 0)) return Math.max(startMs, nowMs);
    return Math.max(nowMs, startMs + expectedMs * this.expectedFactor((nowMs - startMs) / expectedMs));
  }

  /** An independent copy (for simulator clones). */
  clone(): OverrunModel {
    const c = new OverrunModel({ samplesMax: this.samplesMax, samplesMin: this.samplesMin });
    c.logs.set(this.logs);
    c.count = this.count;
    c.next = this.next;
    c.sum = this.sum;
    c.sumSq = this.sumSq;
    c.version = this.version;
    return c;
  }

  private resum(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.count; i++) {
      const x = this.logs[i]!;
      s += x;
      q += x * x;
    }
    this.sum = s;
    this.sumSq = q;
  }
}

/**
 * E[F | F > c] for ln F ~ N(mu, sigma^2), c > 0: exp(mu + sigma^2/2) Q(z - sigma) / Q(z) with z = (ln c - mu) / sigma
 * and Q the standard normal upper tail. Deep in the tail (z > 8) the ratio of tails is taken from their asymptotic
 * series, where it equals c z / (z - sigma) times a correction; the result is never below c.
 */
export function conditionalLognormalMean(c: number, mu: number, sigma: number): number {
  const z = (Math.log(c) - mu) / sigma;
  if (z <= 8) return Math.max(c, (Math.exp(mu + (sigma * sigma) / 2) * upperTail(z - sigma)) / upperTail(z));
  const a = z - sigma;
  const series = (x: number) => 1 - 1 / (x * x) + 3 / (x * x * x * x);
  return Math.max(c, ((c * z) / a) * (series(a) / series(z)));
}

/** Q(z) = P(N(0,1) > z), relative error below about 1e-7 (Numerical Recipes' erfc, Chebyshev fit). */
export function upperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-x * x + poly);
  return z >= 0 ? 0.5 * erfc : 1 - 0.5 * erfc;
}

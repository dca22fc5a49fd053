// Bootstrap confidence intervals for the scheduling benchmark. Tasks of one run are correlated (they share queues),
// so the resampling unit is a contiguous block of tasks in arrival order (blocksPerRun per run, all seeds pooled):
// a moving-block-style bootstrap. Utilization is one number per run, so its interval resamples runs.
import { Rng } from '../../../runtime/scheduler/prng.js';

export interface RunSample {
  seed: number;
  /** per task, arrival order */
  slowdown: Float64Array;
  completionMs: Float64Array;
  deadlineMissed: Uint8Array;
  hasDeadline: Uint8Array;
  utilization: number;
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface CellStats {
  meanSlowdown: Interval;
  p95Slowdown: Interval;
  meanCompletionMs: Interval;
  utilization: Interval;
  deadlineMissRate: Interval;
}

export interface BootstrapOptions {
  /** resamples per interval */
  resamples: number;
  /** blocks each run is cut into */
  blocksPerRun: number;
  /** seeds the resampling so a report is reproducible */
  seed: number;
  /** two-sided level, e.g. 0.95 */
  level: number;
}

export const BOOTSTRAP_DEFAULTS: BootstrapOptions = { resamples: 1000, blocksPerRun: 10, seed: 12345, level: 0.95 };

interface Block {
  run: number;
  start: number;
  end: number;
  sd: number;
  comp: number;
  miss: number;
  dl: number;
}

function blocks(runs: readonly RunSample[], perRun: number): Block[] {
  const out: Block[] = [];
  runs.forEach((r, run) => {
    const n = r.slowdown.length;
    for (let b = 0; b < perRun; b++) {
      const start = Math.floor((b * n) / perRun);
      const end = Math.floor(((b + 1) * n) / perRun);
      if (end <= start) continue;
      const blk: Block = { run, start, end, sd: 0, comp: 0, miss: 0, dl: 0 };
      for (let i = start; i < end; i++) {
        blk.sd += r.slowdown[i]!;
        blk.comp += r.completionMs[i]!;
        blk.miss += r.deadlineMissed[i]!;
        blk.dl += r.hasDeadline[i]!;
      }
      out.push(blk);
    }
  });
  return out;
}

function percentileInterval(value: number, draws: Float64Array, level: number): Interval {
  draws.sort();
  const a = (1 - level) / 2;
  const at = (q: number) => draws[Math.min(draws.length - 1, Math.max(0, Math.floor(q * draws.length)))]!;
  return { value, low: at(a), high: at(1 - a) };
}

/** k-th smallest (0-based) of xs[0..n) in place (Hoare selection). */
export function select(xs: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

function p95(runs: readonly RunSample[], chosen: readonly Block[], scratch: Float64Array): number {
  let n = 0;
  for (const b of chosen) {
    const src = runs[b.run]!.slowdown;
    for (let i = b.start; i < b.end; i++) scratch[n++] = src[i]!;
  }
  return n === 0 ? 0 : select(scratch, n, Math.min(n - 1, Math.ceil(0.95 * n) - 1));
}

function ratio(chosen: readonly Block[], num: (b: Block) => number, den: (b: Block) => number): number {
  let a = 0;
  let d = 0;
  for (const b of chosen) {
    a += num(b);
    d += den(b);
  }
  return d > 0 ? a / d : 0;
}

export function cellStats(runs: readonly RunSample[], o: BootstrapOptions = BOOTSTRAP_DEFAULTS): CellStats {
  const all = blocks(runs, o.blocksPerRun);
  const rng = new Rng(o.seed);
  const total = runs.reduce((s, r) => s + r.slowdown.length, 0);
  const scratch = new Float64Array(total * 2);
  const draws = { sd: new Float64Array(o.resamples), p: new Float64Array(o.resamples) };
  const more = { comp: new Float64Array(o.resamples), miss: new Float64Array(o.resamples) };
  const chosen: Block[] = new Array(all.length);
  const count = (b: Block) => b.end - b.start;
  for (let k = 0; k < o.resamples; k++) {
    for (let i = 0; i < all.length; i++) chosen[i] = all[rng.int(all.length)]!;
    draws.sd[k] = ratio(chosen, (b) => b.sd, count);
    draws.p[k] = p95(runs, chosen, scratch);
    more.comp[k] = ratio(chosen, (b) => b.comp, count);
    more.miss[k] = ratio(
      chosen,
      (b) => b.miss,
      (b) => b.dl,
    );
  }
  const utilDraws = new Float64Array(o.resamples);
  for (let k = 0; k < o.resamples; k++) {
    let s = 0;
    for (let i = 0; i < runs.length; i++) s += runs[rng.int(runs.length)]!.utilization;
    utilDraws[k] = s / Math.max(1, runs.length);
  }
  return {
    meanSlowdown: percentileInterval(
      ratio(all, (b) => b.sd, count),
      draws.sd,
      o.level,
    ),
    p95Slowdown: percentileInterval(p95(runs, all, scratch), draws.p, o.level),
    meanCompletionMs: percentileInterval(
      ratio(all, (b) => b.comp, count),
      more.comp,
      o.level,
    ),
    utilization: percentileInterval(
      runs.reduce((s, r) => s + r.utilization, 0) / Math.max(1, runs.length),
      utilDraws,
      o.level,
    ),
    deadlineMissRate: percentileInterval(
      ratio(
        all,
        (b) => b.miss,
        (b) => b.dl,
      ),
      more.miss,
      o.level,
    ),
  };
}

/**
 * Paired bootstrap of the fractional reduction of mean slowdown of `candidate` against `reference`,
 * 1 - mean(candidate) / mean(reference), over the same blocks (both must have run the same scenarios in the same
 * order). Several cells (e.g. all loads >= 0.7) may be pooled by passing their runs concatenated in the same order.
 */
export function pairedGain(
  reference: readonly RunSample[],
  candidate: readonly RunSample[],
  o: BootstrapOptions = BOOTSTRAP_DEFAULTS,
): Interval {
  if (reference.length !== candidate.length) throw new TypeError('pairedGain: runs differ in number');
  reference.forEach((r, i) => {
    if (r.seed !== candidate[i]!.seed || r.slowdown.length !== candidate[i]!.slowdown.length) {
      throw new TypeError(`pairedGain: run ${i} is not the same scenario in both`);
    }
  });
  const a = blocks(reference, o.blocksPerRun);
  const b = blocks(candidate, o.blocksPerRun);
  const rng = new Rng(o.seed);
  const draws = new Float64Array(o.resamples);
  const gain = (idx: (i: number) => number) => {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < a.length; i++) {
      const j = idx(i);
      sa += a[j]!.sd;
      sb += b[j]!.sd;
    }
    return sa > 0 ? 1 - sb / sa : 0;
  };
  for (let k = 0; k < o.resamples; k++) draws[k] = gain(() => rng.int(a.length));
  return percentileInterval(
    gain((i) => i),
    draws,
    o.level,
  );
}

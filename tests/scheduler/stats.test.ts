// The benchmark's statistics: selection, bootstrap intervals and the paired gain.
import t from 'tap';
import { cellStats, pairedGain, type RunSample, select } from '../../bench/lib/scheduler/stats.js';
import { Rng } from '../../runtime/scheduler/prng.js';

function run(seed: number, n: number, scale: number): RunSample {
  const rng = new Rng(seed);
  const slowdown = Float64Array.from({ length: n }, () => scale * (1 + rng.exponential(1)));
  return {
    seed,
    slowdown,
    completionMs: slowdown.map((x) => x * 1000),
    deadlineMissed: Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)),
    hasDeadline: Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)),
    utilization: 0.5 + seed / 100,
  };
}

t.test('select finds the k-th smallest', async (t) => {
  const rng = new Rng(1);
  for (let k = 0; k < 50; k++) {
    const n = 1 + rng.int(200);
    const xs = Float64Array.from({ length: n }, () => rng.int(20));
    const sorted = Float64Array.from(xs).sort();
    const q = rng.int(n);
    t.equal(select(Float64Array.from(xs), n, q), sorted[q], `n=${n} k=${q}`);
  }
});

t.test('cell statistics: point estimates exact, intervals bracket them', async (t) => {
  const runs = [run(1, 1000, 1), run(2, 1000, 1), run(3, 1000, 1)];
  const s = cellStats(runs, { resamples: 300, blocksPerRun: 10, seed: 9, level: 0.95 });
  const all = runs.flatMap((r) => [...r.slowdown]);
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  t.ok(Math.abs(s.meanSlowdown.value - mean) < 1e-9);
  t.equal(s.deadlineMissRate.value, 0.5, 'every 4th of the every-2nd tasks with a deadline');
  t.ok(Math.abs(s.utilization.value - 0.52) < 1e-9);
  for (const [name, iv] of Object.entries(s)) {
    t.ok(iv.low <= iv.value && iv.value <= iv.high, `${name}: ${iv.low} <= ${iv.value} <= ${iv.high}`);
  }
  t.ok(s.meanSlowdown.high - s.meanSlowdown.low < 0.3, 'a 3000-task mean is estimated tightly');
  t.ok(s.p95Slowdown.value > s.meanSlowdown.value);
});

t.test('paired gain: zero against itself, the true ratio against a scaled copy', async (t) => {
  const ref = [run(1, 500, 1), run(2, 500, 1)];
  const same = pairedGain(ref, ref);
  t.same([same.value, same.low, same.high], [0, 0, 0]);
  const better = ref.map((r) => ({ ...r, slowdown: r.slowdown.map((x) => x * 0.8) }));
  const g = pairedGain(ref, better);
  t.ok(Math.abs(g.value - 0.2) < 1e-9 && Math.abs(g.low - 0.2) < 1e-9, 'a uniform 20% cut has a degenerate interval');
  t.throws(() => pairedGain(ref, [ref[0]!]), /runs differ in number/);
  t.throws(() => pairedGain(ref, [ref[1]!, ref[0]!]), /run 0 is not the same scenario/);
});

// The learned policy's benchmark keys (models/rl/bench-extension.ts rlGainSummary) on hand-made runs: the goal's
// gain is against the best of every baseline; the _vs_greedy keys leave Hungarian out and pick the best greedy rule.
import t from 'tap';
import type { BenchContext } from '../../bench/lib/scheduler/extensions.js';
import type { Results, RunRecord } from '../../bench/lib/scheduler/matrix.js';
import { BOOTSTRAP_DEFAULTS } from '../../bench/lib/scheduler/stats.js';
import { rlGainSummary } from '../../models/rl/bench-extension.js';

const LOADS = [0.5, 0.9];
const SEEDS = [1, 2];
const TASKS = 20;

/** runs whose every task has this slowdown */
function runs(policy: string, load: number, slowdown: number): RunRecord[] {
  return SEEDS.map(
    (seed) =>
      ({
        policy,
        load,
        seed,
        slowdown: new Float64Array(TASKS).fill(slowdown),
        completionMs: new Float64Array(TASKS).fill(1000),
        deadlineMissed: new Uint8Array(TASKS),
        hasDeadline: new Uint8Array(TASKS),
        utilization: load,
      }) as unknown as RunRecord,
  );
}

t.test('gains against every baseline and against the greedy rules alone', async (t) => {
  // mean slowdown per policy and load: Hungarian is best at 0.9, sjf at 0.5; rl sits between
  const table: Record<string, [number, number]> = {
    hungarian: [1.2, 1.5],
    sjf: [1.1, 2.0],
    tetris: [1.3, 2.5],
    rl: [1.1, 1.8],
  };
  const results: Results = new Map(
    Object.entries(table).map(([name, values]) => [
      name,
      new Map(LOADS.map((load, i) => [load, runs(name, load, values[i] as number)])),
    ]),
  );
  const baselines = ['hungarian', 'sjf', 'tetris'];
  const ctx = {
    seeds: SEEDS,
    loads: LOADS,
    results,
    baselines,
    bestBaseline: (load: number) => (load < 0.7 ? 'sjf' : 'hungarian'),
    bootstrap: { ...BOOTSTRAP_DEFAULTS, resamples: 50 },
  } as unknown as BenchContext;
  const s = rlGainSummary(ctx) as Record<string, number | Record<string, { best: string; gain: number }>>;
  t.equal(s['rl_gain_high_load'], -0.2, 'against Hungarian at load 0.9: 20% worse');
  t.equal(s['rl_worst_low_load'], 0, 'ties sjf at low load');
  t.equal(s['rl_gain_high_load_vs_greedy'], 0.1, 'against the best greedy rule at 0.9 (sjf): 10% better');
  const byLoad = s['rl_gain_by_load_vs_greedy'] as Record<string, { best: string }>;
  t.equal(byLoad['0.9']?.best, 'sjf', 'Hungarian is left out of the greedy comparison');
  t.equal((s['rl_gain_by_load'] as Record<string, { best: string }>)['0.9']?.best, 'hungarian');
});

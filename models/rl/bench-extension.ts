// The learned policy's part of `npm run bench -- scheduler`: runs the shipped ONNX model (`rl`) on the benchmark's
// scenarios and adds rl_gain_high_load, rl_gain_ci_low, rl_worst_low_load, rl_gain_by_load, decisions_per_s,
// decision_p99_ms, decisions_per_cpu_s (and the 16-task window's), the load average while timing and model_rss_mb to
// the final JSON line; and the same gains against the greedy baselines alone (keys ending in _vs_greedy).
import type { BenchContext, SchedulerBenchExtension } from '../../bench/lib/scheduler/extensions.js';
import type { RunRecord } from '../../bench/lib/scheduler/matrix.js';
import { pairedGain } from '../../bench/lib/scheduler/stats.js';
import { cardPathFor, defaultModelPath } from '../../runtime/scheduler/load-policy.js';
import { RlOnnxPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { measureDecisionSpeed } from './speed.js';

/** loads at or above this are "high load" for the goal; below it "low load" */
export const HIGH_LOAD_MIN = 0.7;

function runsAt(ctx: BenchContext, policy: string, load: number): RunRecord[] {
  return ctx.results.get(policy)?.get(load) ?? [];
}

function mean(runs: readonly RunRecord[]): number {
  let s = 0;
  let n = 0;
  for (const r of runs) {
    for (let i = 0; i < r.slowdown.length; i++) s += r.slowdown[i]!;
    n += r.slowdown.length;
  }
  return n > 0 ? s / n : Number.NaN;
}

/** the baselines that place one task at a time by a fixed rule; Hungarian (an optimal matching per decision, with wait
 * columns and tuned costs) is the one optimization-based baseline, and the one the learned policy ties */
export const GREEDY_BASELINES: readonly string[] = ['fifo', 'round-robin', 'least-loaded', 'sjf', 'tetris'];

export function rlGainSummary(ctx: BenchContext): Record<string, unknown> {
  if (!ctx.results.has('rl')) return {};
  const greedy = ctx.baselines.filter((b) => GREEDY_BASELINES.includes(b));
  // the goal's criterion (issue 5) against the best of every baseline, then the same against the greedy rules only
  const all = gainAgainst(ctx, (load) => ctx.bestBaseline(load));
  const vsGreedy = greedy.length > 0 ? gainAgainst(ctx, (load) => bestOf(ctx, greedy, load)) : undefined;
  return {
    rl_gain_high_load: all.high?.value ?? null,
    rl_gain_ci_low: all.high?.low ?? null,
    rl_gain_ci_high: all.high?.high ?? null,
    // fractional increase of mean slowdown against the best baseline, worst load below HIGH_LOAD_MIN (> 0 = worse)
    rl_worst_low_load: all.worstLow,
    rl_gain_by_load: all.byLoad,
    rl_gain_high_load_vs_greedy: vsGreedy?.high?.value ?? null,
    rl_gain_ci_low_vs_greedy: vsGreedy?.high?.low ?? null,
    rl_gain_ci_high_vs_greedy: vsGreedy?.high?.high ?? null,
    rl_worst_low_load_vs_greedy: vsGreedy?.worstLow ?? null,
    rl_gain_by_load_vs_greedy: vsGreedy?.byLoad ?? {},
  };
}

/** the baseline among `names` with the lowest mean slowdown at `load` */
function bestOf(ctx: BenchContext, names: readonly string[], load: number): string {
  let best = '';
  let bestValue = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const v = mean(runsAt(ctx, name, load));
    if (v < bestValue) {
      best = name;
      bestValue = v;
    }
  }
  return best;
}

interface GainSummary {
  high: { value: number; low: number; high: number } | undefined;
  worstLow: number | null;
  byLoad: Record<string, { best: string; gain: number; ci_low: number; ci_high: number }>;
}

/** paired gains of rl against `bestAt(load)`: per load, pooled over loads >= HIGH_LOAD_MIN, worst below it */
function gainAgainst(ctx: BenchContext, bestAt: (load: number) => string): GainSummary {
  const byLoad: GainSummary['byLoad'] = {};
  const refHigh: RunRecord[] = [];
  const rlHigh: RunRecord[] = [];
  let worstLow = Number.NEGATIVE_INFINITY;
  for (const load of ctx.loads) {
    const best = bestAt(load);
    const ref = runsAt(ctx, best, load);
    const rl = runsAt(ctx, 'rl', load);
    if (ref.length === 0 || rl.length !== ref.length) continue;
    const g = pairedGain(ref, rl, ctx.bootstrap);
    byLoad[String(load)] = { best, gain: round(g.value), ci_low: round(g.low), ci_high: round(g.high) };
    if (load >= HIGH_LOAD_MIN) {
      refHigh.push(...ref);
      rlHigh.push(...rl);
    } else {
      worstLow = Math.max(worstLow, mean(rl) / mean(ref) - 1);
    }
  }
  const g = refHigh.length > 0 ? pairedGain(refHigh, rlHigh, ctx.bootstrap) : undefined;
  return {
    high: g ? { value: round(g.value), low: round(g.low), high: round(g.high) } : undefined,
    worstLow: Number.isFinite(worstLow) ? round(worstLow) : null,
    byLoad,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export function rlBenchExtension(modelPath = defaultModelPath()): SchedulerBenchExtension {
  let shared: Promise<RlOnnxPolicy> | undefined;
  return {
    name: 'rl',
    policies: () => [
      {
        name: 'rl',
        // the policy keeps no per-run state, so one session serves every run
        create: () => {
          shared ??= RlOnnxPolicy.load(modelPath, cardPathFor(modelPath));
          return shared;
        },
      },
    ],
    async summarize(ctx) {
      const out = rlGainSummary(ctx);
      if (shared) await (await shared).close();
      // eval-report runs several benchmarks at once and measures speed itself afterwards, on a quiet machine
      if (process.env['RL_BENCH_SKIP_SPEED'] === '1') return out;
      const speed = await measureDecisionSpeed(modelPath, cardPathFor(modelPath), 100);
      return {
        ...out,
        decisions_per_s: speed.decisionsPerS,
        decision_p99_ms: speed.decisionP99Ms,
        window_decisions_per_s: speed.windowDecisionsPerS,
        window_decision_p99_ms: speed.windowDecisionP99Ms,
        decisions_per_cpu_s: speed.decisionsPerCpuS,
        window_decisions_per_cpu_s: speed.windowDecisionsPerCpuS,
        speed_load_average: speed.loadAverage,
        model_rss_mb: speed.modelRssMb,
      };
    },
  };
}

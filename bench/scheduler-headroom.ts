// How much better than the tuned Hungarian heuristic can a scheduler get on these workloads? On tuning seeds only
// (never >= 1000): (1) where Hungarian's excess mean slowdown (mean of slowdown - 1) comes from: waiting before the
// first start, re-execution after failures or docking, running slower than the fastest capable agent, the link
// penalty (lib/scheduler/excess-decomposition.ts); (2) variants that see more: a wider window or the whole queue,
// exact durations (an oracle), also over the shipped model (base `rl`), and optionally the clairvoyant rollout teacher
// over the oracle Hungarian (lib/scheduler/oracle-variants.ts; measurement only); (3) a proven lower bound on the mean
// slowdown of any policy (lib/scheduler/slowdown-bound.ts).
//   npm run bench -- scheduler-headroom [--workloads train-v1,mix-shift-v1,bursty-v2] [--loads 0.7,0.9,1.1,1.3,1.5]
//        [--seeds 1..3] [--tasks 2000] [--variants a,b,...] [--rollout K/H/terminal[/S]] [--rollout-over VARIANT]
//        [--rollout-margin F] [--rollout-loads 0.7,1.1] [--resamples 1000] [--window 64] [--free-time estimate|fitted]
// --rollout K/H/terminal/S rolls out over S sampled futures per decision (models/rl/sampled-future.ts: waiting tasks'
// durations redrawn, arrivals from another seed's stream of the workload) instead of the scenario's own future;
// --rollout-over picks the variant it improves (default hungarian+queue+exact; `rl` = the shipped model).
// Prints markdown tables, then one JSON object as the last stdout line. Single-threaded.
import { loadavg } from 'node:os';
import type { RolloutKnobs } from '../models/rl/rollout-policy.js';
import { type FreeTimeModel, parseFreeTimeFlag } from '../models/sim/options.js';
import type { Scenario } from '../models/sim/scenario.js';
import { loadWorkload } from '../models/workloads/files.js';
import { generateScenario } from '../models/workloads/generate.js';
import { parseSeeds } from './lib/scheduler/args.js';
import {
  addParts,
  decompose,
  type ExcessParts,
  emptyParts,
  PART_NAMES,
  runTraced,
} from './lib/scheduler/excess-decomposition.js';
import {
  DEFAULT_VARIANTS,
  type FutureSource,
  parseVariant,
  rolloutVariant,
  type Variant,
  variantRun,
} from './lib/scheduler/oracle-variants.js';
import { slowdownBound } from './lib/scheduler/slowdown-bound.js';
import { BOOTSTRAP_DEFAULTS, type Interval, pairedGain, type RunSample } from './lib/scheduler/stats.js';

const USAGE = `usage: npm run bench -- scheduler-headroom [--workloads W,W] [--loads 0.7,0.9] [--seeds 1..3] [--tasks N]
       [--variants ${DEFAULT_VARIANTS}] [--rollout K/H/terminal[/S]] [--rollout-over VARIANT] [--rollout-margin F]
       [--rollout-loads 0.7,1.1] [--resamples N]
       [--window 64]   (the window of the reference and of variants without +queue / +wN)
       [--free-time estimate|fitted]   (how busy agents' free times are predicted; models/sim/options.ts)`;

interface Args {
  workloads: string[];
  loads: number[];
  seeds: number[];
  tasks: number;
  variants: Variant[];
  rollout: { label: string; knobs: Partial<RolloutKnobs>; samples: number | undefined } | undefined;
  rolloutOver: string;
  /** RolloutKnobs.margin: an edit must beat the base decision's score by this fraction */
  rolloutMargin: number | undefined;
  rolloutLoads: number[] | undefined;
  resamples: number;
  /** tasksWindowMax of the tuned Hungarian reference and of the variants without +queue or +wN */
  window: number;
  /** absent: estimates, except for a learned model whose card says otherwise (sim/run.ts optionsFor) */
  freeTime: FreeTimeModel | undefined;
}

function numbers(v: string, flag: string): number[] {
  const xs = v.split(',').map(Number);
  if (!xs.every((x) => x > 0 && x <= 3)) throw new TypeError(`${flag}: want numbers in (0, 3], got "${v}"`);
  return xs;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    workloads: ['train-v1', 'mix-shift-v1', 'bursty-v2'],
    loads: [0.7, 0.9, 1.1, 1.3, 1.5],
    seeds: [1, 2, 3],
    tasks: 2000,
    variants: [],
    rollout: undefined,
    rolloutOver: 'hungarian+queue+exact',
    rolloutMargin: undefined,
    rolloutLoads: undefined,
    resamples: BOOTSTRAP_DEFAULTS.resamples,
    window: 64,
    freeTime: undefined,
  };
  let variants = DEFAULT_VARIANTS;
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    if (v === undefined) throw new TypeError(`${flag}: missing value\n${USAGE}`);
    if (flag === '--workloads' || flag === '--workload') a.workloads = v.split(',');
    else if (flag === '--loads') a.loads = numbers(v, flag);
    else if (flag === '--seeds') a.seeds = parseSeeds(v);
    else if (flag === '--tasks') a.tasks = Number(v);
    else if (flag === '--variants') variants = v;
    else if (flag === '--rollout') {
      const [k, h, terminal, samples] = v.split('/');
      if (terminal !== 'none' && terminal !== 'remaining')
        throw new TypeError(`--rollout: want K/H/none|remaining[/S]`);
      const s = samples === undefined ? undefined : Number(samples);
      if (s !== undefined && !(Number.isInteger(s) && s >= 1 && s <= 64))
        throw new TypeError('--rollout: S (sampled futures) must be an integer in 1..64');
      a.rollout = { label: v, knobs: { candidatesMax: Number(k), horizonDecisions: Number(h), terminal }, samples: s };
    } else if (flag === '--rollout-over') a.rolloutOver = v;
    else if (flag === '--rollout-margin') {
      a.rolloutMargin = Number(v);
      if (!(a.rolloutMargin >= 0 && a.rolloutMargin <= 1))
        throw new TypeError('--rollout-margin: want a number in 0..1');
    } else if (flag === '--rollout-loads') a.rolloutLoads = numbers(v, flag);
    else if (flag === '--resamples') a.resamples = Number(v);
    else if (flag === '--window') a.window = Number(v);
    else if (flag === '--free-time') a.freeTime = parseFreeTimeFlag(v);
    else throw new TypeError(`unknown flag ${flag}\n${USAGE}`);
  }
  if (a.seeds.some((s) => s >= 1000)) throw new TypeError('--seeds: reporting seeds (>= 1000) are not for this bench');
  if (!(Number.isInteger(a.tasks) && a.tasks >= 10)) throw new TypeError('--tasks: want an integer >= 10');
  if (!(Number.isInteger(a.resamples) && a.resamples >= 100))
    throw new TypeError('--resamples: want an integer >= 100');
  a.variants = variants ? variants.split(',').map(parseVariant) : [];
  if (a.rollout) {
    const over = a.variants.find((x) => x.name === a.rolloutOver) ?? parseVariant(a.rolloutOver);
    if (a.rolloutMargin !== undefined) a.rollout.knobs.margin = a.rolloutMargin;
    a.variants.push(rolloutVariant(over, a.rollout.knobs, `[${a.rollout.label}]`, a.rollout.samples));
  }
  return a;
}

const round = (x: number, d = 4): number => Number(x.toFixed(d));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

interface Cell {
  runs: RunSample[];
  parts: ExcessParts;
  tasks: number;
}

function sample(seed: number, r: ReturnType<typeof runTraced>['result']): RunSample {
  return {
    seed,
    slowdown: r.slowdown,
    completionMs: r.completionMs,
    deadlineMissed: r.deadlineMissed,
    hasDeadline: r.hasDeadline,
    utilization: r.summary.utilization,
  };
}

function meanOf(c: Cell): number {
  let s = 0;
  for (const r of c.runs) for (let i = 0; i < r.slowdown.length; i++) s += r.slowdown[i]!;
  return s / c.tasks;
}

function shares(c: Cell): Record<string, number> {
  const excess = meanOf(c) - 1;
  return Object.fromEntries(PART_NAMES.map((p) => [p, round(c.parts[p] / c.tasks / Math.max(excess, 1e-12), 3)]));
}

const cpu = new Map<string, { ms: number; runs: number }>();
/** the window of the reference and the plain heuristics (--window), pinned so it does not follow the sim's default */
let baseWindow = 64;
/** how every run predicts busy agents' free times (--free-time; models/sim/options.ts) */
let freeTime: FreeTimeModel | undefined;

function runCell(
  v: Variant,
  scenarios: readonly Scenario[],
  seeds: readonly number[],
  futures?: readonly FutureSource[],
): Cell {
  const cell: Cell = { runs: [], parts: emptyParts(), tasks: 0 };
  scenarios.forEach((sc, k) => {
    const future = v.futureSamples ? futures?.[k] : undefined;
    // a variant that sees exact durations knows them in its sampled futures too
    const { scenario, options, decide } = variantRun(
      v,
      sc,
      baseWindow,
      future && v.exact ? { ...future, durationSigma: 0 } : future,
    );
    const t0 = process.cpuUsage();
    const run = runTraced(scenario, decide, freeTime ? { ...options, freeTime } : options);
    const c = cpu.get(v.name) ?? { ms: 0, runs: 0 };
    c.ms += cpuMsSince(t0);
    c.runs++;
    cpu.set(v.name, c);
    addParts(cell.parts, decompose(scenario, run));
    cell.runs.push(sample(seeds[k]!, run.result));
    cell.tasks += sc.tasks.length;
  });
  return cell;
}

/** A plain tuned heuristic (base window, estimates only; not the learned rl): a candidate for "the best tuned heuristic". */
const isPlain = (v: Variant): boolean =>
  v.base !== 'rl' && !v.queue && !v.exact && v.window === undefined && !v.rollout && Object.keys(v.knobs).length === 0;

interface Pool {
  loads: number[];
  ref: RunSample[];
  best: RunSample[];
  runs: RunSample[];
}

interface LoadOutcome {
  json: Record<string, unknown>;
  partRow: string;
  variantRow: string;
}

/**
 * Per seed, what a rollout over sampled futures draws from: the workload realized again from another tuning seed
 * ((seed + 500) mod 1000, never a reporting seed), twice as long as the run.
 */
function futureSources(w: string, load: number, args: Args): FutureSource[] {
  const workload = loadWorkload(w);
  return args.seeds.map((seed) => ({
    stream: generateScenario(workload, { load, seed: (seed + 500) % 1000, taskCount: 2 * args.tasks }),
    durationSigma: workload.noise.durationSigma,
    seed,
  }));
}

function measureLoad(args: Args, w: string, load: number, pools: Map<string, Pool>): LoadOutcome {
  const boot = { ...BOOTSTRAP_DEFAULTS, resamples: args.resamples };
  const scenarios = args.seeds.map((seed) => generateScenario(loadWorkload(w), { load, seed, taskCount: args.tasks }));
  const hungarian = parseVariant('hungarian');
  const ref = runCell(hungarian, scenarios, args.seeds);
  const refMean = meanOf(ref);
  const bounds = scenarios.map(slowdownBound);
  const bound = bounds.reduce((s, b) => s + b.bound, 0) / bounds.length;
  const trivial = bounds.reduce((s, b) => s + b.trivial, 0) / bounds.length;
  const cells = new Map<Variant, Cell>();
  for (const v of args.variants) {
    if (v.rollout && args.rolloutLoads && !args.rolloutLoads.includes(load)) continue;
    cells.set(v, runCell(v, scenarios, args.seeds, v.futureSamples ? futureSources(w, load, args) : undefined));
  }
  let best = { name: 'hungarian', cell: ref };
  for (const [v, c] of cells) if (isPlain(v) && meanOf(c) < meanOf(best.cell)) best = { name: v.name, cell: c };
  let ceiling = { name: 'hungarian', mean: refMean };
  const variants: Record<string, unknown> = {};
  const texts: string[] = [];
  for (const [v, cell] of cells) {
    const m = meanOf(cell);
    const g: Interval = pairedGain(ref.runs, cell.runs, boot);
    const gb: Interval = pairedGain(best.cell.runs, cell.runs, boot);
    variants[v.name] = {
      mean_slowdown: round(m),
      gain: round(g.value),
      gain_ci_low: round(g.low),
      gain_ci_high: round(g.high),
      gain_vs_best_heuristic: round(gb.value),
      shares: shares(cell),
    };
    const pool = pools.get(v.name) ?? { loads: [], ref: [], best: [], runs: [] };
    pool.loads.push(load);
    pool.ref.push(...ref.runs);
    pool.best.push(...best.cell.runs);
    pool.runs.push(...cell.runs);
    pools.set(v.name, pool);
    if (m < ceiling.mean) ceiling = { name: v.name, mean: m };
    texts.push(`${v.name} ${m.toFixed(3)} (${pct(g.value)} [${pct(g.low)}, ${pct(g.high)}])`);
    process.stderr.write(`[headroom] ${w} ${load} ${v.name} ${m.toFixed(3)} gain ${pct(g.value)}\n`);
  }
  const parts = Object.fromEntries(PART_NAMES.map((p) => [p, round(ref.parts[p] / ref.tasks)]));
  const sh = shares(ref);
  const json = {
    hungarian: { mean_slowdown: round(refMean), excess: round(refMean - 1), parts, shares: sh },
    best_heuristic: { name: best.name, mean_slowdown: round(meanOf(best.cell)) },
    variants,
    bound: { trivial: round(trivial), lower_bound: round(bound), hungarian_gain_to_bound: round(1 - bound / refMean) },
    empirical_best: { name: ceiling.name, mean_slowdown: round(ceiling.mean), gain: round(1 - ceiling.mean / refMean) },
  };
  const partCells = PART_NAMES.map((p) => `${parts[p]!.toFixed(3)} (${pct(sh[p]!)})`).join(' | ');
  return {
    json,
    partRow: `| ${w} | ${load} | ${refMean.toFixed(3)} | ${(refMean - 1).toFixed(3)} | ${partCells} | ${trivial.toFixed(3)} | ${bound.toFixed(3)} | ${pct(1 - bound / refMean)} |`,
    variantRow: `| ${w} | ${load} | ${refMean.toFixed(3)} | ${best.name} ${meanOf(best.cell).toFixed(3)} | ${texts.join('<br>')} |`,
  };
}

interface PooledGain {
  loads: number[];
  gain: number;
  ci_low: number;
  ci_high: number;
  gain_vs_best_heuristic: number;
  vs_best_ci_low: number;
  vs_best_ci_high: number;
}

function pooledGains(pools: Map<string, Pool>, resamples: number): Record<string, PooledGain> {
  const boot = { ...BOOTSTRAP_DEFAULTS, resamples };
  return Object.fromEntries(
    [...pools].map(([name, p]) => {
      const g = pairedGain(p.ref, p.runs, boot);
      const b = pairedGain(p.best, p.runs, boot);
      const out: PooledGain = {
        loads: p.loads,
        gain: round(g.value),
        ci_low: round(g.low),
        ci_high: round(g.high),
        gain_vs_best_heuristic: round(b.value),
        vs_best_ci_low: round(b.low),
        vs_best_ci_high: round(b.high),
      };
      return [name, out];
    }),
  );
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  baseWindow = args.window;
  freeTime = args.freeTime;
  const started = performance.now();
  const load0 = loadavg()[0] ?? 0;
  const results: Record<string, Record<string, unknown>> = {};
  const pooled: Record<string, Record<string, PooledGain>> = {};
  const partRows: string[] = [];
  const variantRows: string[] = [];
  for (const w of args.workloads) {
    results[w] = {};
    const pools = new Map<string, Pool>();
    for (const load of args.loads) {
      const o = measureLoad(args, w, load, pools);
      results[w]![String(load)] = o.json;
      partRows.push(o.partRow);
      variantRows.push(o.variantRow);
    }
    pooled[w] = pooledGains(pools, args.resamples);
  }
  console.log(
    `Tuned Hungarian's excess mean slowdown by part (mean per task, share), window ${args.window}, seeds ${args.seeds.join(',')}\n`,
  );
  console.log(
    `| workload | load | hungarian | excess | ${PART_NAMES.join(' | ')} | trivial bound | lower bound | max gain to bound |`,
  );
  console.log(`|${' --- |'.repeat(7 + PART_NAMES.length)}`);
  for (const r of partRows) console.log(r);
  console.log('\nOracle variants (measurement only): mean slowdown (gain vs tuned Hungarian [95% paired CI])\n');
  console.log('| workload | load | hungarian | best plain heuristic | variants |\n| --- | --- | --- | --- | --- |');
  for (const r of variantRows) console.log(r);
  console.log('\nPooled over the loads each variant ran: gain [95% paired CI] vs tuned Hungarian, vs the best plain');
  console.log(`heuristic of each load (hungarian, sjf, tetris: window ${args.window}, estimates only)\n`);
  console.log('| workload | variant | loads | vs hungarian | vs best heuristic |\n| --- | --- | --- | --- | --- |');
  for (const [w, byVariant] of Object.entries(pooled)) {
    for (const [name, g] of Object.entries(byVariant) as [string, PooledGain][]) {
      const vsH = `${pct(g.gain)} [${pct(g.ci_low)}, ${pct(g.ci_high)}]`;
      const vsB = `${pct(g.gain_vs_best_heuristic)} [${pct(g.vs_best_ci_low)}, ${pct(g.vs_best_ci_high)}]`;
      console.log(`| ${w} | ${name} | ${g.loads.join(', ')} | ${vsH} | ${vsB} |`);
    }
  }
  console.log(
    JSON.stringify({
      bench: 'scheduler-headroom',
      oracle_note:
        '+exact and rollout(...) variants see what no gateway can (exact durations, the future); +queue and +wN only a wider window; measurement only',
      seeds: args.seeds,
      tasks: args.tasks,
      window: args.window,
      free_time: args.freeTime ?? 'estimate (a model: its card)',
      loads: args.loads,
      workloads: args.workloads,
      rollout: args.rollout?.label ?? null,
      rollout_loads: args.rolloutLoads ?? null,
      results,
      pooled_gain: pooled,
      cpu_s_per_run: Object.fromEntries([...cpu].map(([n, c]) => [n, round(c.ms / 1000 / Math.max(c.runs, 1), 3)])),
      wall_s: round((performance.now() - started) / 1000, 1),
      loadavg_1m_at_start: round(load0, 2),
      loadavg_1m_at_end: round(loadavg()[0] ?? 0, 2),
    }),
  );
}

main();

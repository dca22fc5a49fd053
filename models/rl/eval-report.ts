// Evaluation of the shipped model: `node --import tsx models/rl/eval-report.ts [--tasks N] [--seeds 1001..1005]
// [--free-time estimate|fitted]` runs `npm run bench -- scheduler` on the training workload and the shifted ones (test
// seeds only, never used in training or tuning), then writes models/rl/eval/: the gain table (markdown), the gain
// chart (SVG), the benchmark's slowdown charts and the raw JSON lines, and the card's metrics.evaluation. With
// --free-time fitted the heuristics predict busy agents' free times with the fitted overrun model (the gateway's
// default for them; the model keeps its card's) and everything goes to models/rl/eval/fitted/ and
// metrics.evaluationFittedFreeTime.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cardPathFor, defaultModelPath } from '../../runtime/scheduler/load-policy.js';
import { checkCard } from '../../runtime/scheduler/model-card.js';
import { parseFreeTimeFlag } from '../sim/options.js';
import { cardMarkdown } from './ship.js';
import { measureDecisionSpeed } from './speed.js';
import { lineChartSvg } from './svg-chart.js';
import { TEST_SEEDS } from './train-config.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EVAL_DIR = join(ROOT, 'models', 'rl', 'eval');
export const EVAL_WORKLOADS = ['train-v1', 'mix-shift-v1', 'bursty-v2'];

interface BenchLine {
  workload: string;
  seeds: number[];
  loads: number[];
  tasks_per_run: number;
  policies: Record<string, Record<string, { mean_slowdown: number; ci_low: number; ci_high: number }>>;
  best_baseline: Record<string, string>;
  svg: string;
  rl_gain_high_load: number;
  rl_gain_ci_low: number;
  rl_gain_ci_high: number;
  rl_worst_low_load: number;
  rl_gain_by_load: Record<string, { best: string; gain: number; ci_low: number; ci_high: number }>;
  rl_gain_high_load_vs_greedy: number;
  rl_gain_ci_low_vs_greedy: number;
  rl_gain_ci_high_vs_greedy: number;
  rl_worst_low_load_vs_greedy: number;
  decisions_per_s: number;
  decision_p99_ms: number;
  window_decisions_per_s: number;
  window_decision_p99_ms: number;
  model_rss_mb: number;
  wall_s: number;
}

function runBench(workload: string, extra: string[], outDir: string): Promise<BenchLine> {
  return new Promise((resolve, reject) => {
    const args = ['scripts/bench.mjs', 'scheduler', '--workload', workload, '--out', outDir, ...extra];
    const env = { ...process.env, RL_BENCH_SKIP_SPEED: '1' };
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c.toString('utf8');
    });
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`bench ${workload} exited ${code}`));
      resolve(JSON.parse(last) as BenchLine);
    });
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function gainTable(lines: readonly BenchLine[]): string {
  const rows = [
    '| workload | load | best heuristic | its mean slowdown | rl mean slowdown | rl gain [95% CI] |',
    '|---|---|---|---|---|---|',
  ];
  for (const b of lines) {
    for (const load of b.loads) {
      const g = b.rl_gain_by_load[String(load)];
      if (!g) continue;
      const best = b.policies[g.best]?.[String(load)]?.mean_slowdown ?? Number.NaN;
      const rl = b.policies.rl?.[String(load)]?.mean_slowdown ?? Number.NaN;
      const sig = g.ci_low > 0 ? ' (better)' : g.ci_high < 0 ? ' (worse)' : '';
      rows.push(
        `| ${b.workload} | ${load} | ${g.best} | ${best.toFixed(3)} | ${rl.toFixed(3)} | ${pct(g.gain)} [${pct(g.ci_low)}, ${pct(g.ci_high)}]${sig} |`,
      );
    }
  }
  rows.push(
    '',
    '| workload | rl_gain_high_load (loads >= 0.7) [95% CI] | rl_worst_low_load (> 0 = worse) |',
    '|---|---|---|',
  );
  for (const b of lines) {
    rows.push(
      `| ${b.workload} | ${pct(b.rl_gain_high_load)} [${pct(b.rl_gain_ci_low)}, ${pct(b.rl_gain_ci_high)}] | ${pct(b.rl_worst_low_load)} |`,
    );
  }
  rows.push(
    '',
    'Against the greedy baselines only (fifo, round-robin, least-loaded, sjf, tetris; Hungarian left out):',
    '',
    '| workload | rl_gain_high_load_vs_greedy [95% CI] | rl_worst_low_load_vs_greedy |',
    '|---|---|---|',
  );
  for (const b of lines) {
    rows.push(
      `| ${b.workload} | ${pct(b.rl_gain_high_load_vs_greedy)} [${pct(b.rl_gain_ci_low_vs_greedy)}, ${pct(b.rl_gain_ci_high_vs_greedy)}] | ${pct(b.rl_worst_low_load_vs_greedy)} |`,
    );
  }
  return rows.join('\n');
}

/** Writes the test-seed results into the shipped model card (JSON and markdown). */
function updateCardMetrics(results: readonly BenchLine[], key: string, command: string): void {
  const cardPath = join(ROOT, 'models', 'shipped', 'scheduler.card.json');
  const card = checkCard(JSON.parse(readFileSync(cardPath, 'utf8')));
  const b0 = results[0]!;
  card.metrics = {
    ...card.metrics,
    [key]: {
      command,
      testSeeds: b0.seeds,
      tasksPerRun: b0.tasks_per_run,
      loads: b0.loads,
      perWorkload: Object.fromEntries(
        results.map((b) => [
          b.workload,
          {
            rl_gain_high_load: b.rl_gain_high_load,
            rl_gain_ci: [b.rl_gain_ci_low, b.rl_gain_ci_high],
            rl_worst_low_load: b.rl_worst_low_load,
            rl_gain_high_load_vs_greedy: b.rl_gain_high_load_vs_greedy,
            rl_gain_ci_vs_greedy: [b.rl_gain_ci_low_vs_greedy, b.rl_gain_ci_high_vs_greedy],
          },
        ]),
      ),
      decisions_per_s: b0.decisions_per_s,
      decision_p99_ms: b0.decision_p99_ms,
      model_rss_mb: b0.model_rss_mb,
    },
  };
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(cardPath.replace(/\.json$/, '.md'), cardMarkdown(card));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tasks: { type: 'string' }, seeds: { type: 'string' }, 'free-time': { type: 'string' } },
  });
  const fitted = values['free-time'] !== undefined && parseFreeTimeFlag(values['free-time']) === 'fitted';
  const extra = [
    ...(values.tasks ? ['--tasks', values.tasks] : []),
    '--seeds',
    values.seeds ?? TEST_SEEDS.join(','),
    ...(fitted ? ['--free-time', 'fitted'] : []),
  ];
  const OUT = fitted ? join(EVAL_DIR, 'fitted') : EVAL_DIR;
  mkdirSync(OUT, { recursive: true });
  const benchOut = fitted ? 'bench/results/rl-eval-fitted' : 'bench/results/rl-eval';
  const results = await Promise.all(EVAL_WORKLOADS.map((w) => runBench(w, extra, benchOut)));
  // speed alone, after the benchmarks, so they do not share the CPU with it
  const model = defaultModelPath();
  const speed = await measureDecisionSpeed(model, cardPathFor(model), 100);
  for (const b of results) {
    b.decisions_per_s = speed.decisionsPerS;
    b.decision_p99_ms = speed.decisionP99Ms;
    b.window_decisions_per_s = speed.windowDecisionsPerS;
    b.window_decision_p99_ms = speed.windowDecisionP99Ms;
    b.model_rss_mb = speed.modelRssMb;
  }
  for (const b of results)
    copyFileSync(join(ROOT, b.svg), join(OUT, `slowdown-${b.workload.replace(/-fitted$/, '')}.svg`));
  writeFileSync(join(OUT, 'bench-lines.json'), `${JSON.stringify(results, null, 2)}\n`);
  // the repository's formatter owns JSON layout (npm run lint checks it)
  spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', join(OUT, 'bench-lines.json')]);
  const series = results.flatMap((b) => [
    {
      name: `${b.workload} gain`,
      points: b.loads.map((l) => [l, 100 * (b.rl_gain_by_load[String(l)]?.gain ?? Number.NaN)] as [number, number]),
    },
    {
      name: `${b.workload} 95% CI`,
      markers: true,
      points: b.loads.flatMap((l) => {
        const g = b.rl_gain_by_load[String(l)];
        return g
          ? ([
              [l, 100 * g.ci_low],
              [l, 100 * g.ci_high],
            ] as [number, number][])
          : [];
      }),
    },
  ]);
  writeFileSync(
    join(OUT, 'rl-gain.svg'),
    lineChartSvg(series, {
      title: 'rl vs best heuristic per load (test seeds)',
      xLabel: 'offered load',
      yLabel: 'reduction of mean slowdown, %',
    }),
  );
  const b0 = results[0]!;
  const header = [
    `Seeds ${b0.seeds.join(',')} (reporting only), ${b0.tasks_per_run} tasks per run, loads ${b0.loads.join(', ')}.`,
    `Decision speed (100 agents, onnxruntime): ${b0.decisions_per_s}/s single-task decisions, p99 ${b0.decision_p99_ms} ms;`,
    `16-task window decisions ${b0.window_decisions_per_s}/s, p99 ${b0.window_decision_p99_ms} ms; model RSS ${b0.model_rss_mb} MB.`,
    '',
  ];
  writeFileSync(join(OUT, 'gain-table.md'), `${header.join('\n')}\n${gainTable(results)}\n`);
  const command = `node --import tsx models/rl/eval-report.ts${fitted ? ' --free-time fitted' : ''}`;
  updateCardMetrics(results, fitted ? 'evaluationFittedFreeTime' : 'evaluation', command);
  process.stdout.write(`${header.join('\n')}\n${gainTable(results)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`eval-report: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

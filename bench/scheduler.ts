// Scheduling benchmark: every policy on identical task sequences across a load sweep and several seeds; mean and p95
// slowdown, mean completion time, utilization and deadline misses with 95% bootstrap intervals; a CSV, a markdown
// table and an SVG chart under --out; the last stdout line is one JSON object with a `policies` map.
// Extra policies and keys (the learned `rl` policy) join through bench/lib/scheduler/extensions.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../models/sim/scenario.js';
import { loadWorkload } from '../models/workloads/files.js';
import { generateScenario } from '../models/workloads/generate.js';
import { readTraceFile, scenarioFromTrace } from '../models/workloads/trace.js';
import { BASELINE_POLICIES } from '../runtime/scheduler/policies/registry.js';
import { readTuned } from '../runtime/scheduler/policies/tuned.js';
import { parseArgs, USAGE } from './lib/scheduler/args.js';
import type { BenchContext } from './lib/scheduler/extensions.js';
import { runMatrix } from './lib/scheduler/matrix.js';
import { resolvePolicies } from './lib/scheduler/policies.js';
import { computeStats, markdownTable, policiesJson, throughput, toCsv } from './lib/scheduler/report.js';
import { BOOTSTRAP_DEFAULTS } from './lib/scheduler/stats.js';
import { slowdownChartSvg } from './lib/scheduler/svg.js';
import { measureThroughput } from './lib/scheduler/throughput.js';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.error(USAGE);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const workload = loadWorkload(args.workload);
  const tuned = readTuned();
  const overlap = tuned ? args.seeds.filter((s) => tuned.seeds.includes(s)) : [];
  if (overlap.length > 0) {
    throw new Error(
      `reporting seeds ${overlap.join(',')} were used for tuning (${tuned!.seeds.join(',')}); pick others`,
    );
  }
  if (args.seeds.some((s) => s < 1000)) console.error('warning: seeds below 1000 are reserved for tuning and training');

  const { chosen, active, skipped } = await resolvePolicies(args.policies, tuned);

  const trace = args.trace ? readTraceFile(args.trace) : undefined;
  const scenario = (seed: number, load: number): Scenario =>
    trace
      ? scenarioFromTrace(workload, trace, { seed, load })
      : generateScenario(workload, { seed, load, taskCount: args.tasks });
  const started = performance.now();
  let done = 0;
  const total = chosen.length * args.loads.length * args.seeds.length;
  const results = await runMatrix({
    seeds: args.seeds,
    loads: args.loads,
    policies: chosen,
    scenario,
    sim: { freeTime: args.freeTime },
    onRun: (r) => {
      done++;
      if (done % 10 === 0 || done === total) {
        process.stderr.write(`\r[scheduler] ${done}/${total} runs (${r.policy} load ${r.load} seed ${r.seed})      `);
      }
    },
  });
  process.stderr.write('\n');

  const bootstrap = { ...BOOTSTRAP_DEFAULTS, resamples: args.resamples };
  const stats = computeStats(results, bootstrap);
  const baselines = chosen.map((s) => s.name).filter((n) => BASELINE_POLICIES.includes(n));
  const bestBaseline = (load: number): string => {
    let best = '';
    let bestValue = Number.POSITIVE_INFINITY;
    for (const name of baselines) {
      const v = stats.get(name)?.get(load)?.meanSlowdown.value ?? Number.POSITIVE_INFINITY;
      if (v < bestValue) {
        best = name;
        bestValue = v;
      }
    }
    return best;
  };

  const label = `${trace ? `${workload.name}+trace` : workload.name}${args.freeTime === 'fitted' ? '-fitted' : ''}`;
  mkdirSync(args.out, { recursive: true });
  const base = join(args.out, `scheduler-${label}`);
  writeFileSync(`${base}.csv`, toCsv(label, args.seeds, results, stats));
  const table = markdownTable(stats, args.loads);
  writeFileSync(`${base}.md`, table);
  const series = [...stats].map(([name, byLoad]) => ({
    name,
    points: [...byLoad].map(([x, s]) => ({
      x,
      y: s.meanSlowdown.value,
      low: s.meanSlowdown.low,
      high: s.meanSlowdown.high,
    })),
  }));
  writeFileSync(`${base}.svg`, slowdownChartSvg(`Mean slowdown vs load: ${label}`, series));

  const ctx: BenchContext = {
    workload,
    seeds: args.seeds,
    loads: args.loads,
    results,
    baselines,
    bestBaseline,
    bootstrap,
  };
  const extra: Record<string, unknown> = {};
  for (const ext of active) Object.assign(extra, (await ext.summarize?.(ctx)) ?? {});

  // speed on fixed scenarios (load 0.9, three reporting seeds), independent of the sweep's mix of loads
  const speed = measureThroughput(
    args.loads.length > 0 ? args.seeds.slice(0, 3).map((seed) => scenario(seed, 0.9)) : [],
  );
  const perPolicy = Object.fromEntries(
    [...results].map(([name, byLoad]) => [name, throughput([...byLoad.values()].flat())]),
  );
  const perPolicyCpu = Object.fromEntries(
    [...results].map(([name, byLoad]) => [name, throughput([...byLoad.values()].flat(), 'cpu')]),
  );
  console.log(`Mean slowdown [95% bootstrap CI], workload ${label}, seeds ${args.seeds.join(',')}\n`);
  console.log(table);
  console.log(
    JSON.stringify({
      bench: 'scheduler',
      workload: label,
      seeds: args.seeds,
      free_time: args.freeTime,
      tuning_seeds: tuned?.seeds ?? [],
      tuned_workload: tuned?.workload ?? null,
      loads: args.loads,
      tasks_per_run: trace ? trace.length : (args.tasks ?? workload.taskCount),
      bootstrap: { resamples: bootstrap.resamples, blocks_per_run: bootstrap.blocksPerRun, level: bootstrap.level },
      policies: policiesJson(results, stats),
      best_baseline: Object.fromEntries(args.loads.map((l) => [String(l), bestBaseline(l)])),
      // simulator + fifo, warm, best of 3 repetitions over 3 scenarios at load 0.9
      placements_per_s: speed.wall.fifo,
      placements_per_s_cheap: speed.wall,
      // the same per CPU second of this process (user + system): the code's own speed on a shared machine
      placements_per_cpu_s: speed.cpu.fifo,
      placements_per_cpu_s_cheap: speed.cpu,
      // over the whole sweep (all loads; cold starts included)
      sweep_placements_per_s_by_policy: perPolicy,
      // the same per CPU second of this process: closer to the code's own speed when the machine is shared
      sweep_placements_per_cpu_s_by_policy: perPolicyCpu,
      skipped_extensions: skipped,
      csv: `${base}.csv`,
      svg: `${base}.svg`,
      wall_s: Math.round((performance.now() - started) / 100) / 10,
      ...extra,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

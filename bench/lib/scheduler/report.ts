// Turns the runs into per-cell statistics, the CSV, the markdown table and the JSON `policies` map.
import type { Results, RunRecord } from './matrix.js';
import { type BootstrapOptions, type CellStats, cellStats, type Interval } from './stats.js';

export type StatsTable = Map<string, Map<number, CellStats>>;

export function computeStats(results: Results, o: BootstrapOptions): StatsTable {
  const out: StatsTable = new Map();
  for (const [policy, byLoad] of results) {
    const m = new Map<number, CellStats>();
    for (const [load, runs] of byLoad) if (runs.length > 0) m.set(load, cellStats(runs, o));
    out.set(policy, m);
  }
  return out;
}

/** Placements per second of wall (or CPU) time over all of a policy's runs (simulator and policy together). */
export function throughput(runs: readonly RunRecord[], clock: 'wall' | 'cpu' = 'wall'): number {
  const ms = runs.reduce((s, r) => s + (clock === 'wall' ? r.wallMs : r.cpuMs), 0);
  const placements = runs.reduce((s, r) => s + r.summary.placements, 0);
  return ms > 0 ? Math.round((placements / ms) * 1000) : 0;
}

const CSV_HEADER = [
  'workload',
  'policy',
  'load',
  'seeds',
  'mean_slowdown',
  'ci_low',
  'ci_high',
  'p95_slowdown',
  'p95_ci_low',
  'p95_ci_high',
  'mean_completion_ms',
  'completion_ci_low',
  'completion_ci_high',
  'utilization',
  'utilization_ci_low',
  'utilization_ci_high',
  'deadline_miss_rate',
  'miss_ci_low',
  'miss_ci_high',
  'unfinished',
  'placements_per_s',
];

export function toCsv(workload: string, seeds: readonly number[], results: Results, stats: StatsTable): string {
  const rows = [CSV_HEADER.join(',')];
  const iv = (i: Interval, d: number) => [i.value, i.low, i.high].map((x) => x.toFixed(d));
  for (const [policy, byLoad] of stats) {
    for (const [load, s] of byLoad) {
      const runs = results.get(policy)!.get(load)!;
      rows.push(
        [
          workload,
          policy,
          load,
          seeds.join(' '),
          ...iv(s.meanSlowdown, 4),
          ...iv(s.p95Slowdown, 4),
          ...iv(s.meanCompletionMs, 1),
          ...iv(s.utilization, 4),
          ...iv(s.deadlineMissRate, 4),
          runs.reduce((a, r) => a + r.summary.unfinished, 0),
          throughput(runs),
        ].join(','),
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

/** Mean slowdown [95% CI] per policy (rows) and load (columns); the best mean per column in bold. */
export function markdownTable(stats: StatsTable, loads: readonly number[]): string {
  const best = new Map<number, number>();
  for (const load of loads) {
    best.set(load, Math.min(...[...stats.values()].map((m) => m.get(load)?.meanSlowdown.value ?? Infinity)));
  }
  const lines = [
    `| policy | ${loads.map((l) => `load ${l}`).join(' | ')} |`,
    `|---|${loads.map(() => '---').join('|')}|`,
  ];
  for (const [policy, byLoad] of stats) {
    const cells = loads.map((l) => {
      const s = byLoad.get(l)?.meanSlowdown;
      if (!s) return '';
      const v = s.value === best.get(l) ? `**${s.value.toFixed(2)}**` : s.value.toFixed(2);
      return `${v} [${s.low.toFixed(2)}, ${s.high.toFixed(2)}]`;
    });
    lines.push(`| ${policy} | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON `policies` map: policy -> load -> metrics. */
export function policiesJson(
  results: Results,
  stats: StatsTable,
): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  for (const [policy, byLoad] of stats) {
    const p: Record<string, Record<string, number>> = {};
    for (const [load, s] of byLoad) {
      const runs = results.get(policy)!.get(load)!;
      p[String(load)] = {
        mean_slowdown: r4(s.meanSlowdown.value),
        ci_low: r4(s.meanSlowdown.low),
        ci_high: r4(s.meanSlowdown.high),
        p95_slowdown: r4(s.p95Slowdown.value),
        p95_ci_low: r4(s.p95Slowdown.low),
        p95_ci_high: r4(s.p95Slowdown.high),
        mean_completion_ms: Math.round(s.meanCompletionMs.value),
        completion_ci_low: Math.round(s.meanCompletionMs.low),
        completion_ci_high: Math.round(s.meanCompletionMs.high),
        utilization: r4(s.utilization.value),
        utilization_ci_low: r4(s.utilization.low),
        utilization_ci_high: r4(s.utilization.high),
        deadline_miss_rate: r4(s.deadlineMissRate.value),
        miss_ci_low: r4(s.deadlineMissRate.low),
        miss_ci_high: r4(s.deadlineMissRate.high),
        unfinished: runs.reduce((a, r) => a + r.summary.unfinished, 0),
        placements_per_s: throughput(runs),
      };
    }
    out[policy] = p;
  }
  return out;
}

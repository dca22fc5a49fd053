// Headroom of one-step policy improvement over the tuned Hungarian heuristic (models/rl/rollout-policy.ts): mean
// slowdown of hungarian vs rollout(hungarian) on the same scenarios (tuning seeds only: this is a teacher's quality,
// not a report), per workload and load, for a few rollout knob settings; CPU per decision and per episode; the cost of
// one Simulator.clone.
//   npm run bench -- rollout-headroom [--workload train-v1,bursty-v2] [--loads 0.7,1.1,1.5] [--seeds 1..3]
//        [--tasks 2000] [--knobs 6/40/none,6/120/remaining]      knobs: candidatesMax/horizonDecisions/terminal[/horizonMs]
import { loadavg } from 'node:os';
import { heuristicByName } from '../models/rl/heuristics.js';
import { type RolloutKnobs, runRollout } from '../models/rl/rollout-policy.js';
import { runPolicy } from '../models/sim/run.js';
import { Simulator } from '../models/sim/simulator.js';
import { loadWorkload } from '../models/workloads/files.js';
import { generateScenario } from '../models/workloads/generate.js';
import type { Policy } from '../runtime/scheduler/policy.js';
import { parseSeeds } from './lib/scheduler/args.js';

const USAGE =
  'usage: npm run bench -- rollout-headroom [--workload W[,W]] [--loads 0.7,1.1,1.5] [--seeds 1..3] [--tasks N] [--knobs K/H/terminal[/ms],...]';

interface Args {
  workloads: string[];
  loads: number[];
  seeds: number[];
  tasks: number;
  knobs: { label: string; knobs: Partial<RolloutKnobs> }[];
}

function parseKnobs(v: string): Args['knobs'] {
  return v.split(',').map((label) => {
    const [k, h, terminal, ms] = label.split('/');
    if (terminal !== 'none' && terminal !== 'remaining')
      throw new TypeError(`--knobs: want K/H/none|remaining[/horizonMs], got "${label}"`);
    const knobs: Partial<RolloutKnobs> = { candidatesMax: Number(k), horizonDecisions: Number(h), terminal };
    if (ms !== undefined) knobs.horizonMs = Number(ms);
    return { label, knobs };
  });
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    workloads: ['train-v1', 'bursty-v2'],
    loads: [0.7, 1.1, 1.5],
    seeds: [1, 2, 3],
    tasks: 2000,
    knobs: parseKnobs('6/40/none,6/40/remaining,12/120/remaining'),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    if (v === undefined) throw new TypeError(`${flag}: missing value\n${USAGE}`);
    if (flag === '--workload') a.workloads = v.split(',');
    else if (flag === '--loads') a.loads = v.split(',').map(Number);
    else if (flag === '--seeds') a.seeds = parseSeeds(v);
    else if (flag === '--tasks') a.tasks = Number(v);
    else if (flag === '--knobs') a.knobs = parseKnobs(v);
    else throw new TypeError(`unknown flag ${flag}\n${USAGE}`);
  }
  if (a.seeds.some((s) => s >= 1000)) throw new TypeError('--seeds: reporting seeds (>= 1000) are not for this bench');
  if (!a.loads.every((x) => x > 0 && x <= 3)) throw new TypeError('--loads: want numbers in (0, 3]');
  if (!(Number.isInteger(a.tasks) && a.tasks >= 10)) throw new TypeError('--tasks: want an integer >= 10');
  return a;
}

function cpuMs(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
}

const round = (x: number, d = 4): number => Number(x.toFixed(d));

/** Microseconds per clone of a 2000-task train-v1 simulator half way through (best of 3 batches of 2000). */
function cloneCostUs(base: Policy): number {
  const sc = generateScenario(loadWorkload('train-v1'), { load: 1.1, seed: 1, taskCount: 2000 });
  const sim = new Simulator(sc);
  for (let i = 0; i < 2000 && !sim.done; i++) sim.step(base.decide(sim.observation()) as never);
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < 3; b++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < 2000; i++) sim.clone();
    best = Math.min(best, (cpuMs(t0) * 1000) / 2000);
  }
  return best;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const base = heuristicByName('hungarian');
  const load0 = loadavg()[0] ?? 0;
  const results: Record<string, Record<string, unknown>> = {};
  const cpu: Record<string, { ms: number; decisions: number; episodes: number; simulated: number }> = {};
  for (const k of args.knobs) cpu[k.label] = { ms: 0, decisions: 0, episodes: 0, simulated: 0 };
  let hungarianMs = 0;
  let hungarianDecisions = 0;
  const rows: string[] = [];
  for (const w of args.workloads) {
    const workload = loadWorkload(w);
    results[w] = {};
    for (const load of args.loads) {
      const scenarios = args.seeds.map((seed) => generateScenario(workload, { load, seed, taskCount: args.tasks }));
      const h = scenarios.map((sc) => {
        const t0 = process.cpuUsage();
        const r = runPolicy(sc, base);
        hungarianMs += cpuMs(t0);
        hungarianDecisions += r.summary.decisions;
        return r.summary.meanSlowdown;
      });
      const hMean = h.reduce((s, x) => s + x, 0) / h.length;
      const rollout: Record<string, number> = {};
      const gain: Record<string, number> = {};
      const perSeedGain: Record<string, number[]> = {};
      for (const k of args.knobs) {
        const r = scenarios.map((sc) => {
          const t0 = process.cpuUsage();
          const run = runRollout(sc, base, k.knobs);
          const c = cpu[k.label]!;
          c.ms += cpuMs(t0);
          c.decisions += run.stats.decisions;
          c.simulated += run.stats.simulatedDecisions;
          c.episodes++;
          return run.result.summary.meanSlowdown;
        });
        const rMean = r.reduce((s, x) => s + x, 0) / r.length;
        rollout[k.label] = round(rMean);
        gain[k.label] = round((hMean - rMean) / hMean);
        perSeedGain[k.label] = r.map((x, i) => round((h[i]! - x) / h[i]!));
        rows.push(
          `| ${w} | ${load} | ${hMean.toFixed(3)} | ${k.label} | ${rMean.toFixed(3)} | ${(gain[k.label]! * 100).toFixed(1)}% | ${perSeedGain[k.label]!.map((g) => `${(g * 100).toFixed(1)}%`).join(' ')} |`,
        );
        console.error(rows.at(-1));
      }
      results[w]![String(load)] = { hungarian: round(hMean), rollout, gain, gain_per_seed: perSeedGain };
    }
  }
  const perDecision: Record<string, number> = {};
  const perEpisode: Record<string, number> = {};
  const simulated: Record<string, number> = {};
  for (const [label, c] of Object.entries(cpu)) {
    simulated[label] = round(c.simulated / Math.max(c.decisions, 1), 1);
    perDecision[label] = round(c.ms / Math.max(c.decisions, 1), 3);
    perEpisode[label] = round(c.ms / 1000 / Math.max(c.episodes, 1), 2);
  }
  console.log('| workload | load | hungarian | knobs K/H/terminal | rollout | gain | gain per seed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(
    JSON.stringify({
      seeds: args.seeds,
      tasks: args.tasks,
      loads: args.loads,
      results,
      cpu_ms_per_decision: perDecision,
      cpu_s_per_episode: perEpisode,
      simulated_decisions_per_decision: simulated,
      hungarian_cpu_ms_per_decision: round(hungarianMs / Math.max(hungarianDecisions, 1), 4),
      clone_us: round(cloneCostUs(base), 2),
      loadavg_1m_at_start: round(load0, 2),
      loadavg_1m_at_end: round(loadavg()[0] ?? 0, 2),
    }),
  );
}

main();

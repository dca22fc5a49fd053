// npm run bench -- site-tune-quality [--workloads train-v1,mix-shift-v1,bursty-v2] [--loads 1.0] [--seeds 501,502]
//   [--tasks 3000] [--future-tasks 1500] [--episodes 30] [--recipes plain,teacher] [--window 200] [--heap-mb 384] [--minutes 10]
// Does site fine-tuning (models/rl/site-tune.ts) improve the running model on a site whose workload differs from the
// training one, and leave it alone where there is nothing to gain? For each workload, load and seed: the simulator
// runs the site with the shipped model (v3) and a site trace is recorded from that run (models/rl/site-trace-sim.ts);
// then each recipe fine-tunes v3 on the trace's older windows, in a forked child process per fine-tune (as the
// gateway's worker: V8 heap capped at --heap-mb), and the gate compares candidate and v3 on the newest 30% of windows.
// Per run: held-out mean slowdown of v3 and of the candidate, accepted or not, the paired per-window difference with
// its 95% interval, the child's CPU seconds and peak RSS, and both again on the site's next --future-tasks (1500)
// tasks, recorded after the trace: what a swap would run next, seen by neither the fine-tune nor the gate (the
// held-out gain of an accepted candidate is biased up: the gate picked it there). A recipe is `NAME` (site-tune.ts
// SITE_RECIPES) or `NAME:key=value;key=value` overriding fields of it. Last line: one JSON object.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Mlp, type MlpJson } from '../models/rl/mlp.js';
import { parseSiteTrace, type SiteTrace } from '../models/rl/site-trace.js';
import { recordSimulatedSite } from '../models/rl/site-trace-sim.js';
import {
  fineTuneFromSite,
  SITE_RECIPES,
  type SiteRecipe,
  scoreOn,
  siteTuneConfig,
  traceWindows,
} from '../models/rl/site-tune.js';
import { loadWorkload } from '../models/workloads/files.js';
import { generateScenario } from '../models/workloads/generate.js';
import { RlTsPolicy } from '../runtime/scheduler/policies/rl-policy.js';

const SHIPPED = fileURLToPath(new URL('../models/shipped/scheduler.weights.json', import.meta.url));
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

interface ChildJob {
  traceFile: string;
  /** the site's next tasks after the trace, recorded the same way: where a swap would run next */
  futureFile: string | null;
  recipe: string;
  episodes: number;
  seed: number;
  windowTasks: number;
  minutes: number;
}

function shipped(): { base: MlpJson; card: Parameters<typeof siteTuneConfig>[1] & object } {
  const base = JSON.parse(readFileSync(SHIPPED, 'utf8')) as MlpJson;
  const card = JSON.parse(readFileSync(SHIPPED.replace(/\.weights\.json$/, '.card.json'), 'utf8'));
  return { base, card };
}

/** `NAME` or `NAME:key=value;key=value` over SITE_RECIPES[NAME] */
export function parseRecipe(spec: string): SiteRecipe {
  const [name = '', overrides] = spec.split(':');
  const base = SITE_RECIPES[name as keyof typeof SITE_RECIPES];
  if (!base) throw new TypeError(`--recipes: unknown recipe "${name}"; valid: ${Object.keys(SITE_RECIPES).join(', ')}`);
  const r: Record<string, unknown> = { ...base, name: spec };
  for (const kv of overrides ? overrides.split(';') : []) {
    const [k = '', v = ''] = kv.split('=');
    if (!(k in base) && !['learningRate', 'margin', 'marginWeight'].includes(k))
      throw new TypeError(`--recipes ${spec}: unknown field "${k}"`);
    r[k] = Number.isNaN(Number(v)) ? v : Number(v);
  }
  return r as unknown as SiteRecipe;
}

/** child: one fine-tune, its result and its own CPU time and peak RSS on stdout via IPC */
function child(job: ChildJob): void {
  const { base, card } = shipped();
  const trace = parseSiteTrace(readFileSync(job.traceFile, 'utf8'));
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const r = fineTuneFromSite(trace, {
    base,
    config: siteTuneConfig(base, card, job.seed),
    windowTasks: job.windowTasks,
    heldOutFraction: 0.3,
    episodes: job.episodes,
    timeBudgetMs: job.minutes * 60_000,
    recipe: parseRecipe(job.recipe),
  });
  const cpu = process.cpuUsage(cpu0);
  const config = siteTuneConfig(base, card, job.seed);
  let future: Record<string, number> = {};
  if (job.futureFile) {
    // the site's future: neither the fine-tune nor the gate saw it, so no winner's curse
    const fw = traceWindows(parseSiteTrace(readFileSync(job.futureFile, 'utf8')), job.windowTasks, job.seed);
    const running = scoreOn(Mlp.fromJSON(base), config, fw);
    future = { futureRunning: running, futureCandidate: scoreOn(r.candidate, config, fw), futureWindows: fw.length };
  }
  const { candidate: _net, heldOutDiff, recipe: _recipe, ...rest } = r;
  process.send?.(
    {
      ...rest,
      recipe: job.recipe,
      ...future,
      heldOutDiff: { ...heldOutDiff, perWindow: heldOutDiff.perWindow.map((x) => round(x)) },
      cpuS: round((cpu.user + cpu.system) / 1e6, 2),
      wallS: round((Date.now() - t0) / 1000, 2),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    () => process.exit(0),
  );
}

function runChild(job: ChildJob, heapMb: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(job)], {
      execArgv: [`--max-old-space-size=${heapMb}`, '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let got: Record<string, unknown> | null = null;
    c.once('message', (m) => {
      got = m as Record<string, unknown>;
    });
    c.once('exit', (code) => (got ? resolve(got) : reject(new Error(`fine-tune child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workloads: { type: 'string', default: 'train-v1,mix-shift-v1,bursty-v2' },
      loads: { type: 'string', default: '1.0' },
      seeds: { type: 'string', default: '501,502' },
      tasks: { type: 'string', default: '3000' },
      /** tasks after the trace on which the candidate and the running model are compared again (0 = none) */
      'future-tasks': { type: 'string', default: '1500' },
      episodes: { type: 'string', default: '30' },
      recipes: { type: 'string', default: 'plain,teacher' },
      window: { type: 'string', default: '200' },
      'heap-mb': { type: 'string', default: '384' },
      minutes: { type: 'string', default: '10' },
    },
  });
  const list = (s: string) => s.split(',').filter((x) => x !== '');
  const recipes = list(values.recipes);
  for (const r of recipes) parseRecipe(r);
  const { base, card } = shipped();
  const v3 = new RlTsPolicy(Mlp.fromJSON(base), { withWait: card.withWait, limits: card.limits });
  const dir = mkdtempSync(join(tmpdir(), 'agentos-site-tune-'));
  const load0 = loadavg();
  const runs: Record<string, unknown>[] = [];
  try {
    for (const workload of list(values.workloads)) {
      for (const load of list(values.loads).map(Number)) {
        for (const seed of list(values.seeds).map(Number)) {
          const pastN = Number(values.tasks);
          const futureN = Number(values['future-tasks']);
          const scenario = generateScenario(loadWorkload(workload), { seed, load, taskCount: pastN + futureN });
          const [past, future] = splitTrace(recordSimulatedSite(scenario, v3), pastN);
          const traceFile = join(dir, `${workload}-${load}-${seed}.json`);
          writeFileSync(traceFile, JSON.stringify(past));
          const futureFile = futureN > 0 ? join(dir, `${workload}-${load}-${seed}-future.json`) : null;
          if (futureFile) writeFileSync(futureFile, JSON.stringify(future));
          for (const recipe of recipes) {
            const job = {
              traceFile,
              futureFile,
              recipe,
              episodes: Number(values.episodes),
              seed,
              windowTasks: Number(values.window),
              minutes: Number(values.minutes),
            };
            const r = await runChild(job, Number(values['heap-mb']));
            const row = { workload, load, seed, ...r };
            console.log(JSON.stringify(row));
            runs.push(row);
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      summary: summarize(runs),
      runs,
      loadavg_start: load0,
      loadavg_end: loadavg(),
      cpus: cpus().length,
    }),
  );
}

/** the first n arrivals (and their runs) and the rest */
function splitTrace(t: SiteTrace, n: number): [SiteTrace, SiteTrace] {
  const part = (tasks: SiteTrace['tasks']): SiteTrace => {
    const ids = new Set(tasks.map((x) => x.id));
    return { ...t, tasks, runs: t.runs.filter((r) => ids.has(r.taskId)) };
  };
  return [part(t.tasks.slice(0, n)), part(t.tasks.slice(n))];
}

/** per workload and recipe: runs, accepted, mean gain on held-out (running - candidate) / running, CPU, RSS */
function summarize(runs: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of runs) {
    const k = `${r.workload} ${r.recipe}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const [k, rs] of groups) {
    const gain = rs.map((r) => ((r.oldScore as number) - (r.newScore as number)) / (r.oldScore as number));
    // what the site would get next: the candidate where the gate accepted it, else the running model (gain 0)
    const next = rs.map((r) =>
      r.accepted && r.futureRunning !== undefined
        ? ((r.futureRunning as number) - (r.futureCandidate as number)) / (r.futureRunning as number)
        : 0,
    );
    out[k] = {
      runs: rs.length,
      accepted: rs.filter((r) => r.accepted).length,
      gain_mean: round(gain.reduce((s, x) => s + x, 0) / rs.length),
      gain_min: round(Math.min(...gain)),
      future_gain_after_gate_mean: round(next.reduce((s, x) => s + x, 0) / rs.length),
      future_gain_after_gate_min: round(Math.min(...next)),
      cpu_s_mean: round(rs.reduce((s, r) => s + (r.cpuS as number), 0) / rs.length, 1),
      max_rss_mb: Math.max(...rs.map((r) => r.maxRssMb as number)),
    };
  }
  return out;
}

const at = process.argv.indexOf('--child');
if (at >= 0) child(JSON.parse(process.argv[at + 1]!) as ChildJob);
else await main();

// ES fine-tuning entry (es-tune.ts says why):
//   node --import tsx models/rl/es.ts [--init WEIGHTS.json] [--card CARD.json] [--generations N] [--minutes M]
//     [--resume CKPT] [--out DIR] [--seed S] [--sigma X] [--lr X] [--pairs N] [--scenarios N] [--loads 0.3,0.7]
//     [--threads N] [--new-inputs FROM:FACTOR[:OTHERS]] [--workloads NAME|PATH,...] [--free-time estimate|fitted]
//     [--quiet]
// Starts from the shipped network (its card gives the candidate window), runs each generation's candidates on N
// worker threads (default: one per core; 1 = in this thread), prints one progress line per generation on
// stderr, and writes DIR/checkpoint.json (resumable, holds the best validated network), DIR/learning-curve.svg and
// every validated network as DIR/nets/gen-NNNNN.json (for select-checkpoint.ts).
// Training scenarios: train-v1 (or the --workloads list, cycled over each generation's scenarios), seeds 600..999;
// validation: VAL_SEEDS x VAL_LOADS of train-v1 (tuning range), relative to tuned Hungarian on the same scenarios.
// Ship with `node --import tsx models/rl/ship-es.ts DIR/checkpoint.json DIR VERSION`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RlOptions } from '../../runtime/scheduler/policies/rl-policy.js';
import { parseFreeTimeFlag } from '../sim/options.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { EsWorkerPool } from './es-pool.js';
import {
  defaultEsConfig,
  type EsCheckpoint,
  type EsSnapshot,
  type EsTask,
  EsTuner,
  esSimOptions,
  loadEsCheckpoint,
  saveEsCheckpoint,
} from './es-tune.js';
import { Mlp } from './mlp.js';
import { lineChartSvg } from './svg-chart.js';
import { VAL_LOADS, VAL_SEEDS } from './train-config.js';

const SHIPPED = new URL('../shipped/', import.meta.url).pathname;

export function esTask(): EsTask {
  const w = loadWorkload('train-v1');
  return {
    workload: 'train-v1',
    validation: VAL_SEEDS.flatMap((seed) => VAL_LOADS.map((load) => generateScenario(w, { seed, load }))),
  };
}

export function curveSvg(ck: EsCheckpoint): string {
  return lineChartSvg(
    [
      { name: 'population mean', points: ck.curve.map((p) => [p.generation, p.train]) },
      {
        name: 'validation',
        points: [
          [0, ck.initialValidation] as [number, number],
          ...ck.curve.flatMap((p) =>
            p.validation === undefined ? [] : [[p.generation, p.validation] as [number, number]],
          ),
        ],
        markers: true,
      },
    ],
    {
      title: 'ES fine-tuning: mean slowdown / tuned Hungarian',
      xLabel: 'generation',
      yLabel: 'relative mean slowdown',
    },
  );
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      init: { type: 'string', default: join(SHIPPED, 'scheduler.weights.json') },
      card: { type: 'string', default: join(SHIPPED, 'scheduler.card.json') },
      generations: { type: 'string', default: '1000000' },
      minutes: { type: 'string', default: '30' },
      resume: { type: 'string' },
      out: { type: 'string', default: 'data/es' },
      seed: { type: 'string', default: '61' },
      sigma: { type: 'string' },
      lr: { type: 'string' },
      pairs: { type: 'string' },
      scenarios: { type: 'string' },
      loads: { type: 'string' },
      threads: { type: 'string' },
      'free-time': { type: 'string' },
      'new-inputs': { type: 'string' },
      workloads: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const num = (name: string, s: string | undefined) => {
    const n = Number(s);
    if (s === undefined || !Number.isFinite(n)) throw new TypeError(`--${name} must be a number, got ${s}`);
    return n;
  };
  const out = resolve(v.out!);
  mkdirSync(join(out, 'nets'), { recursive: true });
  const task = esTask();
  let tuner: EsTuner;
  if (v.resume) tuner = EsTuner.resume(loadEsCheckpoint(resolve(v.resume)), task);
  else {
    const card = JSON.parse(readFileSync(v.card!, 'utf8')) as { withWait: boolean; limits: RlOptions['limits'] };
    const config = defaultEsConfig(num('seed', v.seed));
    if (v.sigma !== undefined) config.sigma = num('sigma', v.sigma);
    if (v.lr !== undefined) config.learningRate = num('lr', v.lr);
    if (v.pairs !== undefined) config.pairs = num('pairs', v.pairs);
    if (v.scenarios !== undefined) config.scenariosPerGeneration = num('scenarios', v.scenarios);
    if (v.loads !== undefined) config.loads = v.loads.split(',').map((x) => num('loads', x));
    if (v['new-inputs'] !== undefined) {
      const [from, factor, others] = v['new-inputs'].split(':');
      config.newInputs = { from: num('new-inputs', from), factor: num('new-inputs', factor) };
      if (others !== undefined) config.newInputs.others = num('new-inputs', others);
    }
    if (v.workloads !== undefined) {
      config.workloads = v.workloads.split(',');
      for (const w of config.workloads) loadWorkload(w); // an unknown name or a bad file fails now, naming it
    }
    if (v['free-time'] !== undefined) config.freeTime = parseFreeTimeFlag(v['free-time']);
    const base = Mlp.fromJSON(JSON.parse(readFileSync(v.init!, 'utf8')));
    tuner = EsTuner.start(base, { withWait: card.withWait, limits: card.limits }, config, task);
  }
  const ckPath = join(out, 'checkpoint.json');
  const deadline = Date.now() + num('minutes', v.minutes) * 60_000;
  const generations = num('generations', v.generations);
  const ck = tuner.checkpoint;
  if (!v.quiet)
    process.stderr.write(
      `es: start at generation ${ck.generation}, best validation ${ck.best.validation.toFixed(4)}\n`,
    );
  const threads = v.threads === undefined ? EsWorkerPool.defaultThreads() : num('threads', v.threads);
  const pool =
    threads > 1 ? new EsWorkerPool(threads, { sizes: ck.sizes, rl: ck.rl, sim: esSimOptions(ck.config) }) : undefined;
  while (ck.generation < generations && Date.now() < deadline) {
    const p = await tuner.step(pool);
    if (!v.quiet) {
      const val =
        p.validation === undefined
          ? ''
          : ` val ${p.validation.toFixed(4)}${ck.best.generation === p.generation ? ' *' : ''}`;
      process.stderr.write(
        `es: gen ${p.generation} train ${p.train.toFixed(4)}${val} ${ck.trainSeconds.toFixed(0)}s\n`,
      );
    }
    if (p.validation !== undefined) {
      // every validated network is kept, so a larger selection set can choose among them afterwards
      // (select-checkpoint.ts): the run's own best is picked on 6 scenarios and flatters itself
      const snapshot: EsSnapshot = {
        kind: 'es-snapshot',
        generation: p.generation,
        validation: p.validation,
        rl: ck.rl,
        net: tuner.network().toJSON(),
      };
      writeFileSync(join(out, 'nets', `gen-${String(p.generation).padStart(5, '0')}.json`), JSON.stringify(snapshot));
      saveEsCheckpoint(ckPath, ck);
      writeFileSync(join(out, 'learning-curve.svg'), curveSvg(ck));
    }
  }
  await pool?.close();
  saveEsCheckpoint(ckPath, ck);
  writeFileSync(join(out, 'learning-curve.svg'), curveSvg(ck));
  process.stdout.write(
    `${JSON.stringify({ checkpoint: ckPath, generation: ck.generation, best: { generation: ck.best.generation, validation: ck.best.validation } })}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`es: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

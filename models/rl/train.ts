// Trainer entry: `node --import tsx models/rl/train.ts [--workload NAME|FILE] [--trace FILE] [--episodes N] [--minutes M]
//   [--resume CKPT] [--out DIR] [--seed S] [--demo HEURISTIC] [--task-count N] [--ship DIR]`
// Shows a progress bar with the running reward on stderr, writes DIR/checkpoint.json (resumable) and
// DIR/learning-curve.svg, and with --ship exports the best validated network as DIR/scheduler.onnx + card.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import type { Policy } from '../../runtime/scheduler/policy.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { readTraceFile, scenarioFromTrace } from '../workloads/trace.js';
import type { DqnLearner } from './dqn.js';
import { heuristicByName } from './heuristics.js';
import { Mlp } from './mlp.js';
import { shipModel } from './ship.js';
import {
  defaultDqnConfig,
  TRAIN_LOADS,
  TRAIN_SEED_BASE,
  trainingProvenance,
  VAL_LOADS,
  VAL_SEEDS,
} from './train-config.js';
import { type Checkpoint, type CurvePoint, loadCheckpoint, train } from './trainer.js';

export interface TrainCliArgs {
  workload: string;
  /** a recorded arrival trace (models/workloads/trace.ts) replayed on the workload's agents instead of generated tasks */
  trace?: string | undefined;
  episodes: number;
  minutes: number;
  resume?: string | undefined;
  out: string;
  seed: number;
  demo?: Policy | undefined;
  taskCount?: number | undefined;
  ship?: string | undefined;
  version: string;
  quiet: boolean;
  /** candidate window override: oldest tasks, shortest tasks */
  window?: [number, number] | undefined;
}

function bar(p: CurvePoint, learner: DqnLearner, episodes: number, t0: number): string {
  const width = 24;
  const done = Math.round((p.episode / episodes) * width);
  const val = p.validation === undefined ? '' : ` val ${p.validation.toFixed(3)}`;
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  return (
    `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ep ${p.episode}/${episodes} load ${p.load} ` +
    `reward ${p.reward.toFixed(3)} running ${p.running.toFixed(3)} eps ${learner.epsilon().toFixed(3)} ` +
    `demo ${learner.demoProbability().toFixed(2)} loss ${learner.lastLoss.toFixed(4)}${val} ${secs}s   `
  );
}

export function runTraining(a: TrainCliArgs): Checkpoint {
  const workload = loadWorkload(a.workload);
  const trace = a.trace ? readTraceFile(a.trace) : undefined;
  const resume = a.resume ? loadCheckpoint(a.resume) : undefined;
  const t0 = Date.now();
  const base = defaultDqnConfig(a.seed);
  if (a.window) base.rl = { ...base.rl, limits: { oldestTasksMax: a.window[0], shortestTasksMax: a.window[1] } };
  const dqn = resume?.dqn.config ?? base;
  const ck = train({
    episodes: a.episodes,
    loads: TRAIN_LOADS,
    trainSeedBase: TRAIN_SEED_BASE,
    valSeeds: VAL_SEEDS,
    valLoads: VAL_LOADS,
    evalEvery: 10,
    checkpointEvery: 5,
    outDir: a.out,
    timeBudgetMs: a.minutes * 60_000,
    scenario: (seed, load) =>
      trace
        ? scenarioFromTrace(workload, trace, { seed, load })
        : generateScenario(workload, { seed, load, taskCount: a.taskCount }),
    demo: a.demo,
    dqn,
    resume,
    onProgress: (p, learner, episodes) => {
      if (!a.quiet) process.stderr.write(bar(p, learner, episodes, t0) + (p.validation === undefined ? '' : '\n'));
    },
  });
  if (!a.quiet) process.stderr.write('\n');
  if (a.ship) {
    const net = Mlp.fromJSON(ck.best?.net ?? ck.dqn.online);
    const card = cardSkeleton([...net.sizes], dqn.rl.withWait, dqn.rl.limits);
    card.version = a.version;
    card.createdAt = new Date().toISOString();
    card.training = {
      algorithm:
        'DQN (per-candidate Q, experience replay, target network, epsilon-greedy, early heuristic demonstrations)',
      workload: workload.name,
      trace: a.trace ?? null,
      taskCountPerEpisode: a.taskCount ?? workload.taskCount,
      ...trainingProvenance(ck),
      demo: a.demo?.name ?? null,
      hyperparameters: { ...dqn, rl: undefined },
    };
    card.metrics = { validationMeanSlowdown: ck.best?.validation ?? null };
    const path = shipModel(net, card, a.ship);
    process.stderr.write(`shipped ${path}\n`);
  }
  return ck;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workload: { type: 'string', default: 'train-v1' },
      trace: { type: 'string' },
      episodes: { type: 'string', default: '300' },
      minutes: { type: 'string', default: '25' },
      resume: { type: 'string' },
      out: { type: 'string', default: 'data/rl-train' },
      seed: { type: 'string', default: '1' },
      demo: { type: 'string' },
      'task-count': { type: 'string' },
      ship: { type: 'string' },
      version: { type: 'string', default: '1' },
      quiet: { type: 'boolean', default: false },
      window: { type: 'string' },
    },
  });
  const num = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--${name} must be a positive number, got ${v}`);
    return n;
  };
  runTraining({
    workload: values.workload!,
    trace: values.trace,
    episodes: num('episodes', values.episodes),
    minutes: num('minutes', values.minutes),
    resume: values.resume,
    out: resolve(values.out!),
    seed: num('seed', values.seed),
    demo: values.demo ? heuristicByName(values.demo) : undefined,
    taskCount: values['task-count'] ? num('task-count', values['task-count']) : undefined,
    ship: values.ship ? resolve(values.ship) : undefined,
    version: values.version!,
    quiet: values.quiet!,
    window: values.window ? (values.window.split(',').map(Number) as [number, number]) : undefined,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`train: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

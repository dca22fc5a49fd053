// Trainer entry: `node --import tsx models/rl/train.ts [--workload NAME|FILE] [--trace FILE] [--episodes N] [--minutes M]
//   [--resume CKPT] [--out DIR] [--seed S] [--demo HEURISTIC|rollout[:K/H/terminal]] [--task-count N] [--ship DIR]
//   [--loads 0.7,1.1] [--recipe v1] [--init CKPT|WEIGHTS.json]`
// Shows a progress bar with the running reward on stderr, writes DIR/checkpoint.json (resumable) and
// DIR/learning-curve.svg, and with --ship exports the best validated network as DIR/scheduler.onnx + card.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FEATURE_COUNT, featureSchemaHash } from '../../runtime/scheduler/features.js';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import type { Policy } from '../../runtime/scheduler/policy.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { readTraceFile, scenarioFromTrace } from '../workloads/trace.js';
import type { DqnConfig, DqnLearner } from './dqn.js';
import { heuristicByName } from './heuristics.js';
import { Mlp, type MlpJson } from './mlp.js';
import { Rng } from './rng.js';
import { ROLLOUT_DEFAULTS, RolloutPolicy, type SimPolicy } from './rollout-policy.js';
import { shipModel } from './ship.js';
import {
  applyRecipe,
  defaultDqnConfig,
  TRAIN_LOADS,
  TRAIN_SEED_BASE,
  trainingProvenance,
  VAL_LOADS,
  VAL_SEEDS,
} from './train-config.js';
import { CHECKPOINT_VERSION, type Checkpoint, type CurvePoint, loadCheckpoint, train } from './trainer.js';

export interface TrainCliArgs {
  workload: string;
  /** a recorded arrival trace (models/workloads/trace.ts) replayed on the workload's agents instead of generated tasks */
  trace?: string | undefined;
  episodes: number;
  minutes: number;
  resume?: string | undefined;
  out: string;
  seed: number;
  demo?: Policy | SimPolicy | undefined;
  taskCount?: number | undefined;
  /** training loads cycled over episodes (default TRAIN_LOADS) */
  loads?: number[] | undefined;
  /** 'v1' = the shipped v1 model's value recipe (gamma 0.95, no shaping, 1-step, uniform exploration) */
  recipe?: 'v1' | 'v2' | undefined;
  ship?: string | undefined;
  version: string;
  quiet: boolean;
  /** candidate window override: oldest tasks, shortest tasks, oldest per capability */
  window?: number[] | undefined;
  gamma?: number | undefined;
  /** n-step returns; also applied when resuming (the rest of a resumed run's recipe comes from its checkpoint) */
  nStep?: number | undefined;
  learningRate?: number | undefined;
  /** start a fresh run (new schedules) from another run's best validated network */
  init?: string | undefined;
  demoStart?: number | undefined;
  demoEnd?: number | undefined;
  epsStart?: number | undefined;
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

/**
 * The demonstrator named on the command line: a tuned heuristic, or `rollout[:K/H/terminal]`, one-step rollout
 * improvement over tuned Hungarian (rollout-policy.ts; K candidates, H base decisions of horizon, terminal none|remaining).
 */
export function demoFromSpec(spec: string): Policy | SimPolicy {
  if (spec !== 'rollout' && !spec.startsWith('rollout:')) return heuristicByName(spec);
  const [k, h, terminal] = spec.slice('rollout:'.length).split('/');
  const int = (v: string | undefined, dflt: number, field: string): number => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new TypeError(`--demo ${spec}: ${field} must be an integer, got ${v}`);
    return n;
  };
  if (terminal !== undefined && terminal !== 'none' && terminal !== 'remaining') {
    throw new TypeError(`--demo ${spec}: terminal must be none or remaining, got ${terminal}`);
  }
  return new RolloutPolicy(heuristicByName('hungarian'), {
    candidatesMax: int(k, ROLLOUT_DEFAULTS.candidatesMax, 'K (candidates)'),
    horizonDecisions: int(h, ROLLOUT_DEFAULTS.horizonDecisions, 'H (horizon decisions)'),
    terminal: terminal ?? ROLLOUT_DEFAULTS.terminal,
  });
}

/** A network from a checkpoint (its best validated one) or from a weights file (shipped/scheduler.weights.json). */
function initNet(path: string): { net: MlpJson; from: Checkpoint | undefined } {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<MlpJson> & { version?: unknown };
  if (Array.isArray(raw.sizes) && Array.isArray(raw.layers))
    return { net: Mlp.fromJSON(raw as MlpJson).toJSON(), from: undefined };
  const src = loadCheckpoint(path);
  return { net: src.best?.net ?? src.dqn.online, from: src };
}

/** A fresh checkpoint (episode 0, fresh optimizer and schedules) whose networks are another run's best network. */
function initFrom(path: string, dqn: DqnConfig): Checkpoint {
  const { net, from } = initNet(path);
  if (net.sizes[0] !== FEATURE_COUNT)
    throw new Error(`--init ${path}: input width ${net.sizes[0]} != ${FEATURE_COUNT}`);
  return {
    version: CHECKPOINT_VERSION,
    featureSchemaHash: from?.featureSchemaHash ?? featureSchemaHash(),
    episode: 0,
    curve: [],
    best: null,
    trainSeconds: 0,
    dqn: {
      config: dqn,
      online: net,
      target: net,
      adam: { t: 0, m: [], v: [] },
      rngState: new Rng(dqn.seed).getState(),
      decisions: 0,
      gradSteps: 0,
      targetVersion: 0,
    },
  };
}

export function runTraining(a: TrainCliArgs): Checkpoint {
  const workload = loadWorkload(a.workload);
  const trace = a.trace ? readTraceFile(a.trace) : undefined;
  const resume = a.resume ? loadCheckpoint(a.resume) : undefined;
  const t0 = Date.now();
  const base = defaultDqnConfig(a.seed);
  if (a.window) {
    const [oldest = 0, shortest = 16, perCap = 0] = a.window;
    base.rl = {
      ...base.rl,
      limits: { oldestTasksMax: oldest, shortestTasksMax: shortest, oldestPerCapabilityMax: perCap },
    };
  }
  if (a.recipe === 'v1') applyRecipe(base, 'v1');
  if (a.gamma !== undefined) base.gamma = a.gamma;
  const dqn = { ...(resume?.dqn.config ?? base) };
  if (a.nStep !== undefined) dqn.nStep = a.nStep;
  if (a.learningRate !== undefined) dqn.learningRate = a.learningRate;
  if (a.demoStart !== undefined) dqn.demoStart = a.demoStart;
  if (a.demoEnd !== undefined) dqn.demoEnd = a.demoEnd;
  if (a.epsStart !== undefined) dqn.epsStart = a.epsStart;
  const start = resume ?? (a.init ? initFrom(a.init, dqn) : undefined);
  const ck = train({
    episodes: a.episodes,
    loads: a.loads ?? TRAIN_LOADS,
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
    valScenario: trace ? undefined : (seed, load) => generateScenario(workload, { seed, load }),
    demo: a.demo,
    dqn,
    resume: start,
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
      demoKnobs: a.demo instanceof RolloutPolicy ? a.demo.knobs : null,
      trainLoads: a.loads ?? TRAIN_LOADS,
      hyperparameters: { ...dqn, rl: undefined },
    };
    card.metrics = { validationMeanSlowdown: ck.best?.validation ?? null };
    const path = shipModel(net, card, a.ship);
    process.stderr.write(`shipped ${path}\n`);
  }
  return ck;
}

function recipeArg(v: string | undefined): 'v1' | 'v2' | undefined {
  if (v === undefined || v === 'v1' || v === 'v2') return v;
  throw new TypeError(`--recipe must be v1 or v2, got ${v}`);
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
      gamma: { type: 'string' },
      'n-step': { type: 'string' },
      lr: { type: 'string' },
      init: { type: 'string' },
      'demo-start': { type: 'string' },
      'demo-end': { type: 'string' },
      'eps-start': { type: 'string' },
      loads: { type: 'string' },
      recipe: { type: 'string' },
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
    demo: values.demo ? demoFromSpec(values.demo) : undefined,
    loads: values.loads ? values.loads.split(',').map((v) => num('loads', v)) : undefined,
    recipe: recipeArg(values.recipe),
    taskCount: values['task-count'] ? num('task-count', values['task-count']) : undefined,
    ship: values.ship ? resolve(values.ship) : undefined,
    version: values.version!,
    quiet: values.quiet!,
    window: values.window ? values.window.split(',').map(Number) : undefined,
    gamma: values.gamma ? num('gamma', values.gamma) : undefined,
    nStep: values['n-step'] ? num('n-step', values['n-step']) : undefined,
    learningRate: values.lr ? num('lr', values.lr) : undefined,
    init: values.init,
    demoStart: values['demo-start'] ? num('demo-start', values['demo-start']) : undefined,
    demoEnd: values['demo-end'] ? num('demo-end', values['demo-end']) : undefined,
    epsStart: values['eps-start'] ? num('eps-start', values['eps-start']) : undefined,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`train: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

// The training loop: episodes of the simulator driven by the DQN learner, periodic greedy validation on tuning seeds
// (never the reporting seeds), the best validated network kept, checkpoints that resume, a learning-curve SVG.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureSchemaHash } from '../../runtime/scheduler/features.js';
import { RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import type { Policy } from '../../runtime/scheduler/policy.js';
import type { SimOptions } from '../sim/options.js';
import { runPolicy } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { Simulator } from '../sim/simulator.js';
import { type DqnConfig, DqnLearner, type DqnState } from './dqn.js';
import type { MlpJson } from './mlp.js';
import { bindSimulator, type SimPolicy } from './rollout-policy.js';
import { lineChartSvg } from './svg-chart.js';

export const CHECKPOINT_VERSION = 1;

export interface CurvePoint {
  episode: number;
  load: number;
  /** -mean slowdown of the (exploring) training episode */
  reward: number;
  /** exponential running mean of reward, weight 0.1 */
  running: number;
  /** mean slowdown of the greedy policy on the validation set, when validated at this episode */
  validation?: number | undefined;
}

export interface Checkpoint {
  version: number;
  featureSchemaHash: string;
  episode: number;
  dqn: DqnState;
  curve: CurvePoint[];
  best: { episode: number; validation: number; net: MlpJson } | null;
  trainSeconds: number;
}

export interface TrainOptions {
  episodes: number;
  /** offered loads cycled over training episodes */
  loads: number[];
  /** episode k draws its scenario with seed trainSeedBase + k */
  trainSeedBase: number;
  valSeeds: number[];
  valLoads: number[];
  evalEvery: number;
  checkpointEvery: number;
  outDir: string;
  /** stop (after checkpointing) once this much wall time has passed, ms */
  timeBudgetMs: number;
  scenario: (seed: number, load: number) => Scenario;
  /**
   * validation scenarios when they differ from training episodes: validate at the size the evaluation reports
   * (a 1000-task episode never reaches the queue lengths of a 2000-task run at load 1.5, and a model picked on short
   * runs fell apart on long ones)
   */
  valScenario?: ((seed: number, load: number) => Scenario) | undefined;
  /**
   * demonstrator followed with the learner's demonstration probability: a heuristic, or a SimPolicy such as the
   * rollout teacher (rollout-policy.ts), bound to each episode's simulator; it is only paid for when consulted
   */
  demo?: Policy | SimPolicy | undefined;
  dqn: DqnConfig;
  resume?: Checkpoint | undefined;
  onProgress?: ((p: CurvePoint, learner: DqnLearner, episodes: number) => void) | undefined;
}

export function loadCheckpoint(path: string): Checkpoint {
  const c = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  if (c.version !== CHECKPOINT_VERSION)
    throw new Error(`checkpoint ${path}: version ${c.version} != ${CHECKPOINT_VERSION}`);
  if (c.featureSchemaHash !== featureSchemaHash()) {
    throw new Error(`checkpoint ${path}: featureSchemaHash ${c.featureSchemaHash} != extractor ${featureSchemaHash()}`);
  }
  return c;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Mean slowdown of the greedy policy over validation seeds x loads (simulator options `sim`, default none). */
export function validate(
  net: RlTsPolicy,
  o: Pick<TrainOptions, 'valSeeds' | 'valLoads' | 'scenario'>,
  sim: SimOptions = {},
): number {
  let sum = 0;
  let n = 0;
  for (const load of o.valLoads) {
    for (const seed of o.valSeeds) {
      sum += runPolicy(o.scenario(seed, load), net, sim).summary.meanSlowdown;
      n++;
    }
  }
  return sum / n;
}

export function isSimPolicy(p: Policy | SimPolicy): p is SimPolicy {
  return typeof (p as Partial<SimPolicy>).decideWithSim === 'function';
}

/** One training episode on `scenario`; a SimPolicy demonstrator is bound to its simulator. Returns -mean slowdown. */
export function runEpisode(
  learner: DqnLearner,
  scenario: Scenario,
  demo: Policy | SimPolicy | undefined,
  options: SimOptions = {},
): number {
  const sim = new Simulator(scenario, options);
  const demoNow = demo !== undefined && isSimPolicy(demo) ? bindSimulator(demo, sim) : demo;
  let cost = 0;
  let total = 0;
  while (!sim.done) {
    const placements = learner.decide(sim.observation(), cost, demoNow);
    const r = sim.step(placements);
    cost = r.slowdownCost;
    total += cost;
  }
  learner.endEpisode(cost);
  return -total / Math.max(1, scenario.tasks.length);
}

export function learningCurveSvg(curve: readonly CurvePoint[]): string {
  return lineChartSvg(
    [
      { name: 'episode reward', points: curve.map((p) => [p.episode, p.reward]), markers: true },
      { name: 'running reward', points: curve.map((p) => [p.episode, p.running]) },
      {
        name: 'validation (-slowdown)',
        points: curve.filter((p) => p.validation !== undefined).map((p) => [p.episode, -p.validation!]),
      },
    ],
    { title: 'DQN scheduler: learning curve', xLabel: 'episode', yLabel: 'reward = -mean slowdown' },
  );
}

export function train(o: TrainOptions): Checkpoint {
  mkdirSync(o.outDir, { recursive: true });
  const learner = new DqnLearner(o.dqn, o.resume?.dqn);
  const ck: Checkpoint = o.resume
    ? structuredClone(o.resume)
    : {
        version: CHECKPOINT_VERSION,
        featureSchemaHash: featureSchemaHash(),
        episode: 0,
        dqn: learner.toJSON(),
        curve: [],
        best: null,
        trainSeconds: 0,
      };
  const t0 = Date.now();
  const baseSeconds = ck.trainSeconds;
  const save = () => {
    ck.dqn = learner.toJSON();
    ck.trainSeconds = baseSeconds + (Date.now() - t0) / 1000;
    writeAtomic(join(o.outDir, 'checkpoint.json'), JSON.stringify(ck));
    writeAtomic(join(o.outDir, 'learning-curve.svg'), learningCurveSvg(ck.curve));
  };
  while (ck.episode < o.episodes && Date.now() - t0 < o.timeBudgetMs) {
    const k = ck.episode;
    const load = o.loads[k % o.loads.length]!;
    const reward = runEpisode(learner, o.scenario(o.trainSeedBase + k, load), o.demo);
    const prev = ck.curve.at(-1)?.running ?? reward;
    const point: CurvePoint = { episode: k + 1, load, reward, running: 0.9 * prev + 0.1 * reward };
    ck.episode = k + 1;
    if (ck.episode % o.evalEvery === 0 || ck.episode === o.episodes) {
      point.validation = validate(new RlTsPolicy(learner.online.clone(), o.dqn.rl), {
        ...o,
        scenario: o.valScenario ?? o.scenario,
      });
      if (!ck.best || point.validation < ck.best.validation) {
        ck.best = { episode: ck.episode, validation: point.validation, net: learner.online.toJSON() };
      }
    }
    ck.curve.push(point);
    o.onProgress?.(point, learner, o.episodes);
    if (ck.episode % o.checkpointEvery === 0) save();
  }
  save();
  return ck;
}

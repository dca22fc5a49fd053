// Evolution-strategies fine-tuning of a trained scoring network, directly on the reported objective. DQN learns Q
// values whose ranking only approximates the policy that minimizes mean slowdown; credit for a placement arrives
// seconds and hundreds of decisions later (docs/scheduler/training-runs.md). ES skips the value function: it perturbs
// all weights at once, runs the perturbed policies on the same scenarios (common random numbers) and moves the weights
// towards the perturbations that lowered mean slowdown (Salimans et al. 2017: antithetic pairs, centered ranks, Adam).
// The fitness of a network on a scenario is its mean slowdown divided by tuned Hungarian's on the same scenario, so
// every load counts alike. Deterministic from the seed; a checkpoint holds everything needed to resume bit for bit.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { featureSchemaHash } from '../../runtime/scheduler/features.js';
import { type RlOptions, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { type FreeTimeModel, freeTimeOf, type SimOptions } from '../sim/options.js';
import { runPolicy } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { loadWorkload } from '../workloads/files.js';
import { generateScenario } from '../workloads/generate.js';
import { heuristicByName } from './heuristics.js';
import { type Layer, Mlp, type MlpJson } from './mlp.js';
import { Rng } from './rng.js';

export const ES_CHECKPOINT_VERSION = 1;

export interface EsConfig {
  seed: number;
  /** standard deviation of the weight perturbations */
  sigma: number;
  learningRate: number;
  /** antithetic pairs per generation (2 x pairs policies run) */
  pairs: number;
  scenariosPerGeneration: number;
  /** offered loads the generation's scenarios are drawn from */
  loads: number[];
  /** training scenario seeds: seedBase .. seedBase + seedCount - 1, cycled (project rule: 1..999) */
  seedBase: number;
  seedCount: number;
  /** validate every this many generations */
  validateEvery: number;
  /**
   * First-layer weights of the input columns from `from` on are perturbed and stepped `factor` times more (sigma and
   * learning rate). Columns a network was widened with start at zero weight: at the common step size their weights
   * only random-walk (norm about lr x sqrt(generations x hidden)), far below the trained columns'. `others` is the
   * factor of every other weight (default 1; 0 freezes them, so the search runs in the new columns' few dimensions
   * and its gradient estimate is that much less noisy). Absent = 1 everywhere.
   */
  newInputs?: { from: number; factor: number; others?: number | undefined } | undefined;
  /**
   * Training workloads (names or paths), cycled over a generation's scenarios: scenario k uses workloads[k % length],
   * so with 4 scenarios and [a, b] every generation sees a, b, a, b. Absent = the task's workload (train-v1).
   * Validation stays on the task's scenarios.
   */
  workloads?: string[] | undefined;
  /** how the simulator predicts busy agents' free times (models/sim/options.ts); absent = 'estimate' */
  freeTime?: FreeTimeModel | undefined;
}

/** The simulator options every run of an ES job uses (the config's free-time model). */
export function esSimOptions(c: EsConfig): SimOptions {
  return c.freeTime === undefined ? {} : { freeTime: c.freeTime };
}

export function defaultEsConfig(seed: number): EsConfig {
  return {
    seed,
    sigma: 0.01,
    learningRate: 0.003,
    pairs: 8,
    scenariosPerGeneration: 3,
    loads: [0.7, 0.9, 1.1, 1.3, 1.5],
    seedBase: 600,
    seedCount: 400,
    validateEvery: 5,
  };
}

export interface EsPoint {
  generation: number;
  /** mean fitness of the generation's population (slowdown / Hungarian's) */
  train: number;
  validation?: number | undefined;
}

export interface EsCheckpoint {
  version: number;
  kind: 'es';
  featureSchemaHash: string;
  config: EsConfig;
  rl: RlOptions;
  sizes: number[];
  theta: number[];
  adamM: number[];
  adamV: number[];
  generation: number;
  rngState: number;
  nextSeed: number;
  /** the starting network's validation score (generation 0) */
  initialValidation: number;
  curve: EsPoint[];
  best: { generation: number; validation: number; net: MlpJson };
  trainSeconds: number;
}

export function checkEsConfig(c: EsConfig): void {
  const positive = (k: keyof EsConfig) => {
    if (!(typeof c[k] === 'number' && (c[k] as number) > 0)) throw new TypeError(`es config: ${k} must be > 0`);
  };
  for (const k of ['sigma', 'learningRate', 'pairs', 'scenariosPerGeneration', 'seedCount', 'validateEvery'] as const)
    positive(k);
  for (const k of ['pairs', 'scenariosPerGeneration', 'seedBase', 'seedCount', 'validateEvery'] as const)
    if (!Number.isInteger(c[k])) throw new TypeError(`es config: ${k} must be an integer`);
  if (c.seedBase < 1 || c.seedBase + c.seedCount - 1 > 999)
    throw new RangeError('es config: seedBase .. seedBase + seedCount - 1 must stay in 1..999 (training seeds)');
  if (c.loads.length === 0 || c.loads.some((l) => !(l > 0))) throw new TypeError('es config: loads must be > 0');
  if (c.workloads !== undefined) {
    if (!Array.isArray(c.workloads) || c.workloads.length === 0 || c.workloads.some((w) => typeof w !== 'string' || !w))
      throw new TypeError('es config: workloads must be a non-empty list of workload names or paths');
    if (c.scenariosPerGeneration % c.workloads.length !== 0)
      throw new RangeError(
        `es config: workloads: scenariosPerGeneration ${c.scenariosPerGeneration} must be a multiple of their number ${c.workloads.length}, so every generation weighs them alike`,
      );
  }
  if (c.freeTime !== undefined) freeTimeOf({ freeTime: c.freeTime });
  const n = c.newInputs;
  if (n !== undefined && !(Number.isInteger(n.from) && n.from >= 0 && n.factor > 0 && (n.others ?? 1) >= 0))
    throw new TypeError('es config: newInputs wants an integer from >= 0, a factor > 0 and others >= 0');
}

/** Per weight of the flattened network (flatten's order), the factor on sigma and learning rate (config.newInputs). */
export function stepScales(sizes: readonly number[], c: EsConfig): Float64Array {
  const D = sizes.slice(1).reduce((sum, out, i) => sum + out * sizes[i]! + out, 0);
  const n = c.newInputs;
  const scale = new Float64Array(D).fill(n?.others ?? 1);
  if (!n) return scale;
  const inputs = sizes[0]!;
  if (n.from >= inputs)
    throw new RangeError(`es config: newInputs.from ${n.from} is not below the network's ${inputs} inputs`);
  // layer 0's weights come first, row-major [outputs x inputs]
  for (let o = 0; o < sizes[1]!; o++) for (let i = n.from; i < inputs; i++) scale[o * inputs + i] = n.factor;
  return scale;
}

/** All weights in one vector, layer by layer (w then b); also of a gradient (`{ layers: grads }`). */
export function flatten(net: { readonly layers: readonly Layer[] }): Float64Array {
  const out = new Float64Array(net.layers.reduce((s, l) => s + l.w.length + l.b.length, 0));
  let o = 0;
  for (const l of net.layers) {
    out.set(l.w, o);
    o += l.w.length;
    out.set(l.b, o);
    o += l.b.length;
  }
  return out;
}

export function unflattenInto(net: Mlp, theta: Float64Array): void {
  let o = 0;
  for (const l of net.layers) {
    for (let i = 0; i < l.w.length; i++) l.w[i] = theta[o++]!;
    for (let i = 0; i < l.b.length; i++) l.b[i] = theta[o++]!;
  }
}

/** A training scenario by its recipe, so worker threads can build the same one (es-pool.ts). */
export interface ScenarioSpec {
  workload: string;
  seed: number;
  load: number;
  taskCount?: number | undefined;
}

export function scenarioOf(spec: ScenarioSpec): Scenario {
  return generateScenario(loadWorkload(spec.workload), spec);
}

/** Evaluates candidate weight vectors on the same scenarios, e.g. in parallel (es-pool.ts); same numbers as serial. */
export interface FitnessEvaluator {
  evaluate(thetas: readonly Float64Array[], specs: readonly ScenarioSpec[], ref: readonly number[]): Promise<number[]>;
}

export interface EsTask {
  /** workload name or path of the training scenarios, and their size (absent = the workload's) */
  workload: string;
  taskCount?: number | undefined;
  /** the validation scenarios, fixed for the run */
  validation: readonly Scenario[];
}

/** Mean over scenarios of the net's mean slowdown / the reference's. */
export function relativeSlowdown(
  net: Mlp,
  rl: RlOptions,
  scenarios: readonly Scenario[],
  ref: readonly number[],
  sim: SimOptions = {},
) {
  const p = new RlTsPolicy(net, rl);
  let s = 0;
  scenarios.forEach((sc, i) => {
    s += runPolicy(sc, p, sim).summary.meanSlowdown / ref[i]!;
  });
  return s / scenarios.length;
}

/** One validated network of a run: es.ts writes DIR/nets/gen-N.json, select-checkpoint.ts and ship-es.ts read it. */
export interface EsSnapshot {
  kind: 'es-snapshot';
  generation: number;
  validation: number | null;
  rl: RlOptions;
  net: MlpJson;
  /** for an average: the generations averaged */
  averageOf?: number[];
}

export function readEsSnapshot(path: string): EsSnapshot {
  const s = JSON.parse(readFileSync(path, 'utf8')) as Partial<EsSnapshot>;
  if (s.kind !== 'es-snapshot' || !s.net || !s.rl || typeof s.generation !== 'number')
    throw new TypeError(`${path}: not an es-snapshot (kind, generation, rl, net)`);
  return s as EsSnapshot;
}

export class EsTuner {
  private readonly net: Mlp;
  private readonly valRef: number[];
  private readonly hungarian = heuristicByName('hungarian');
  private readonly sim: SimOptions;

  private constructor(
    private readonly ck: EsCheckpoint,
    private readonly task: EsTask,
  ) {
    this.net = Mlp.fromJSON(ck.best.net);
    this.sim = esSimOptions(ck.config);
    this.valRef = task.validation.map((s) => runPolicy(s, this.hungarian, this.sim).summary.meanSlowdown);
  }

  static start(base: Mlp, rl: RlOptions, config: EsConfig, task: EsTask): EsTuner {
    checkEsConfig(config);
    stepScales(base.sizes, config); // fails now, naming the field, when newInputs does not fit the network
    const theta = [...flatten(base)];
    const ck: EsCheckpoint = {
      version: ES_CHECKPOINT_VERSION,
      kind: 'es',
      featureSchemaHash: featureSchemaHash(),
      config,
      rl,
      sizes: [...base.sizes],
      theta,
      adamM: theta.map(() => 0),
      adamV: theta.map(() => 0),
      generation: 0,
      rngState: new Rng(config.seed).getState(),
      nextSeed: config.seedBase,
      initialValidation: Number.POSITIVE_INFINITY,
      curve: [],
      best: { generation: 0, validation: Number.POSITIVE_INFINITY, net: base.toJSON() },
      trainSeconds: 0,
    };
    const t = new EsTuner(ck, task);
    ck.best.validation = relativeSlowdown(base, rl, task.validation, t.valRef, t.sim);
    ck.initialValidation = ck.best.validation;
    return t;
  }

  static resume(ck: EsCheckpoint, task: EsTask): EsTuner {
    return new EsTuner(ck, task);
  }

  get checkpoint(): EsCheckpoint {
    return this.ck;
  }

  /** A copy of the current network (the weights the next generation perturbs). */
  network(): Mlp {
    const m = Mlp.fromJSON(this.net.toJSON());
    unflattenInto(m, Float64Array.from(this.ck.theta));
    return m;
  }

  /**
   * One generation: perturb, evaluate on common scenarios (serially, or by `evaluator`), Adam step; validates every
   * validateEvery generations.
   */
  async step(evaluator?: FitnessEvaluator): Promise<EsPoint> {
    const t0 = performance.now();
    const { ck } = this;
    const c = ck.config;
    const rng = new Rng(0);
    rng.setState(ck.rngState);
    const specs: ScenarioSpec[] = [];
    for (let k = 0; k < c.scenariosPerGeneration; k++) {
      const load = c.loads[rng.int(c.loads.length)]!;
      const workload = c.workloads ? c.workloads[k % c.workloads.length]! : this.task.workload;
      specs.push({ workload, seed: ck.nextSeed, load, taskCount: this.task.taskCount });
      ck.nextSeed = ck.nextSeed + 1 >= c.seedBase + c.seedCount ? c.seedBase : ck.nextSeed + 1;
    }
    const scenarios = specs.map(scenarioOf);
    const ref = scenarios.map((s) => runPolicy(s, this.hungarian, this.sim).summary.meanSlowdown);
    const theta = Float64Array.from(ck.theta);
    const D = theta.length;
    const scale = stepScales(ck.sizes, c);
    const eps: Float64Array[] = [];
    const probes: Float64Array[] = [];
    for (let k = 0; k < c.pairs; k++) {
      const e = new Float64Array(D);
      for (let i = 0; i < D; i++) e[i] = rng.normal();
      eps.push(e);
      for (const sign of [1, -1]) probes.push(theta.map((x, i) => x + sign * c.sigma * scale[i]! * e[i]!));
    }
    const fit = evaluator
      ? await evaluator.evaluate(probes, specs, ref)
      : probes.map((p) => {
          unflattenInto(this.net, p);
          return relativeSlowdown(this.net, ck.rl, scenarios, ref, this.sim);
        });
    ck.rngState = rng.getState();
    const grad = rankGradient(fit, eps, c.sigma);
    ck.generation++;
    adamStep(ck, grad, scale);
    const point: EsPoint = { generation: ck.generation, train: fit.reduce((a, b) => a + b, 0) / fit.length };
    if (ck.generation % c.validateEvery === 0) {
      unflattenInto(this.net, Float64Array.from(ck.theta));
      point.validation = relativeSlowdown(this.net, ck.rl, this.task.validation, this.valRef, this.sim);
      if (point.validation < ck.best.validation)
        ck.best = { generation: ck.generation, validation: point.validation, net: this.net.toJSON() };
    }
    ck.curve.push(point);
    ck.trainSeconds += (performance.now() - t0) / 1000;
    return point;
  }
}

/**
 * The ES gradient estimate of the expected fitness to MINIMIZE, as an ascent direction: centered ranks (the best
 * policy gets +0.5, the worst -0.5) make the step independent of the fitness scale and of outliers.
 */
export function rankGradient(fit: readonly number[], eps: readonly Float64Array[], sigma: number): Float64Array {
  const order = fit.map((_, i) => i).sort((x, y) => fit[x]! - fit[y]! || x - y);
  const rank = new Float64Array(fit.length);
  order.forEach((idx, r) => {
    rank[idx] = 0.5 - r / Math.max(1, fit.length - 1);
  });
  const D = eps[0]?.length ?? 0;
  const g = new Float64Array(D);
  eps.forEach((e, k) => {
    const w = (rank[2 * k]! - rank[2 * k + 1]!) / (2 * eps.length * sigma);
    for (let i = 0; i < D; i++) g[i]! += w * e[i]!;
  });
  return g;
}

/** Adam on the ascent direction `g`; weight i moves by up to learningRate x scale[i] (Adam's step ignores g's scale). */
function adamStep(ck: EsCheckpoint, g: Float64Array, scale: Float64Array): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const t = ck.generation;
  for (let i = 0; i < g.length; i++) {
    ck.adamM[i] = b1 * ck.adamM[i]! + (1 - b1) * g[i]!;
    ck.adamV[i] = b2 * ck.adamV[i]! + (1 - b2) * g[i]! * g[i]!;
    const m = ck.adamM[i]! / (1 - b1 ** t);
    const v = ck.adamV[i]! / (1 - b2 ** t);
    ck.theta[i] = ck.theta[i]! + (ck.config.learningRate * scale[i]! * m) / (Math.sqrt(v) + 1e-8);
  }
}

export function saveEsCheckpoint(path: string, ck: EsCheckpoint): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(ck));
  renameSync(`${path}.tmp`, path);
}

export function loadEsCheckpoint(path: string): EsCheckpoint {
  const ck = JSON.parse(readFileSync(path, 'utf8')) as EsCheckpoint;
  if (ck.kind !== 'es' || ck.version !== ES_CHECKPOINT_VERSION)
    throw new Error(`checkpoint ${path}: not an ES checkpoint of version ${ES_CHECKPOINT_VERSION}`);
  if (ck.featureSchemaHash !== featureSchemaHash())
    throw new Error(
      `checkpoint ${path}: featureSchemaHash ${ck.featureSchemaHash} != extractor ${featureSchemaHash()}`,
    );
  return ck;
}

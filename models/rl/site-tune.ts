// Fine-tuning the running model on the site's own trace: the trace is cut into windows of consecutive arrivals, the
// first ones train (the simulator replays them with agent speeds fitted from the trace), the last ones are held out.
// The candidate is accepted only when its mean slowdown on the held-out windows is below the running model's.
import { RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import type { FreeTimeModel } from '../sim/options.js';
import { runPolicy } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { type DqnConfig, DqnLearner } from './dqn.js';
import { heuristicByName } from './heuristics.js';
import { Mlp, type MlpJson } from './mlp.js';
import { RolloutPolicy, type SimPolicy } from './rollout-policy.js';
import { type SiteTrace, scenarioFromSiteTrace } from './site-trace.js';
import { defaultDqnConfig } from './train-config.js';
import { runEpisode } from './trainer.js';

/**
 * How a site fine-tune learns. 'plain' is TD fine-tuning alone (no teacher, the last network is the candidate);
 * 'teacher' is DQfD as v3 was trained: a teacher bound to each training window's simulator, the large-margin loss
 * on its choices, and the best network on validation windows (split off the training windows) kept.
 */
export interface SiteRecipe {
  name: string;
  /**
   * demonstrator bound to each training window's simulator: none, or one-step rollout improvement (rollout-policy.ts)
   * over tuned Hungarian or over the running network. It is clairvoyant on the window it replays, which is fine for
   * teaching: the gate judges on held-out windows it never saw.
   */
  teacher: 'none' | 'rollout-hungarian' | 'rollout-running';
  /** rollout candidates per decision and base decisions of horizon */
  teacherCandidates: number;
  teacherHorizon: number;
  /** probability of following the teacher at a decision, constant over the fine-tune */
  demoProbability: number;
  /** absent = the base config's */
  learningRate?: number | undefined;
  epsStart: number;
  epsEnd: number;
  /** share of the training windows (spread over them) kept aside to pick the best network; 0 = the last network */
  validationFraction: number;
  /** at most this many validation windows (each validation replays them all with the learner's network) */
  validationWindowsMax: number;
  /** episodes between validations */
  validateEvery: number;
  /**
   * a trained network replaces the base only when its validation score is this fraction below the base's: with a
   * few validation windows the best of many checkpoints is partly noise, and a tie leaves the running model alone
   */
  validationMinGain: number;
  /** DQfD large-margin loss on the teacher's choices; absent = the base config's */
  margin?: number | undefined;
  marginWeight?: number | undefined;
}

export const SITE_RECIPES: Record<'plain' | 'teacher', SiteRecipe> = {
  plain: {
    name: 'plain',
    teacher: 'none',
    teacherCandidates: 10,
    teacherHorizon: 40,
    demoProbability: 0,
    epsStart: 0.05,
    epsEnd: 0.02,
    validationFraction: 0,
    validationWindowsMax: 0,
    validateEvery: 1,
    validationMinGain: 0,
  },
  teacher: {
    name: 'teacher',
    // rollout over the running network: policy improvement on the model the site runs, so a demonstration is never
    // a step back from it (over tuned Hungarian the teacher can be worse than the model where the model beats it)
    teacher: 'rollout-running',
    teacherCandidates: 10,
    teacherHorizon: 40,
    demoProbability: 0.5,
    learningRate: 1e-4,
    epsStart: 0.02,
    epsEnd: 0.02,
    validationFraction: 0.35,
    validationWindowsMax: 8,
    validateEvery: 2,
    validationMinGain: 0.01,
  },
};

export interface SiteTuneOptions {
  base: MlpJson;
  config: DqnConfig;
  /** arrivals per window */
  windowTasks: number;
  /** share of windows (the newest) held out for the accept/reject comparison, 0..1 */
  heldOutFraction: number;
  episodes: number;
  timeBudgetMs: number;
  /** default SITE_RECIPES.teacher */
  recipe?: SiteRecipe | undefined;
}

export interface SiteTuneResult {
  candidate: Mlp;
  /** mean slowdown on the held-out windows */
  oldScore: number;
  newScore: number;
  accepted: boolean;
  trainWindows: number;
  heldOutWindows: number;
  episodes: number;
  recipe: SiteRecipe;
  /** validation windows (out of the training windows), the base's and the kept network's score there */
  validationWindows: number;
  validationBase: number;
  validationBest: number;
  /** episode whose network is the candidate (0 = the base network) */
  bestEpisode: number;
  /** per held-out window: candidate minus running mean slowdown, and its mean with a 95% t interval */
  heldOutDiff: { mean: number; ciLow: number; ciHigh: number; perWindow: number[] };
}

export function traceWindows(trace: SiteTrace, windowTasks: number, seed: number): Scenario[] {
  if (!(Number.isInteger(windowTasks) && windowTasks >= 10))
    throw new RangeError('windowTasks must be an integer >= 10');
  const out: Scenario[] = [];
  for (let i = 0; i < trace.tasks.length; i += windowTasks) {
    const from = trace.tasks[i]!.arrivalMs;
    const next = trace.tasks[i + windowTasks];
    const to = next ? next.arrivalMs : Number.POSITIVE_INFINITY;
    const s = scenarioFromSiteTrace(trace, from, to, seed + out.length);
    if (s.tasks.length > 0) out.push(s);
  }
  return out;
}

/** mean slowdown over all tasks of the windows, and per window */
function evaluate(net: Mlp, config: DqnConfig, windows: readonly Scenario[]): { mean: number; perWindow: number[] } {
  const policy = new RlTsPolicy(net, config.rl);
  let sum = 0;
  let n = 0;
  const perWindow = windows.map((w) => {
    const r = runPolicy(w, policy);
    for (let i = 0; i < r.slowdown.length; i++) sum += r.slowdown[i]!;
    n += r.slowdown.length;
    return r.summary.meanSlowdown;
  });
  return { mean: n > 0 ? sum / n : Number.NaN, perWindow };
}

/** mean slowdown over all tasks of the windows */
export function scoreOn(net: Mlp, config: DqnConfig, windows: readonly Scenario[]): number {
  return evaluate(net, config, windows).mean;
}

/** Splits off `fraction` of the training windows, spread evenly over them, for validation; keeps >= 1 to train. */
function splitValidation(train: Scenario[], fraction: number, max: number): { fit: Scenario[]; val: Scenario[] } {
  const k = Math.min(train.length - 1, max, Math.round(train.length * fraction));
  if (k <= 0) return { fit: train, val: [] };
  const pick = new Set(Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) * train.length) / k)));
  return { fit: train.filter((_, i) => !pick.has(i)), val: train.filter((_, i) => pick.has(i)) };
}

function teacherOf(recipe: SiteRecipe, base: Mlp, config: DqnConfig): SimPolicy | undefined {
  if (recipe.teacher === 'none' || recipe.demoProbability <= 0) return undefined;
  const over =
    recipe.teacher === 'rollout-running' ? new RlTsPolicy(base.clone(), config.rl) : heuristicByName('hungarian');
  return new RolloutPolicy(over, {
    candidatesMax: recipe.teacherCandidates,
    horizonDecisions: recipe.teacherHorizon,
    terminal: 'remaining',
  });
}

export function fineTuneFromSite(trace: SiteTrace, o: SiteTuneOptions): SiteTuneResult {
  const recipe = o.recipe ?? SITE_RECIPES.teacher;
  const windows = traceWindows(trace, o.windowTasks, o.config.seed);
  if (windows.length < 2)
    throw new RangeError(`site trace has ${windows.length} window(s) of ${o.windowTasks} tasks; need >= 2`);
  const held = Math.max(1, Math.round(windows.length * o.heldOutFraction));
  const train = windows.slice(0, windows.length - held);
  const heldOut = windows.slice(windows.length - held);
  const { fit, val } = splitValidation(train, recipe.validationFraction, recipe.validationWindowsMax);
  // gentle fine-tuning from the running network: little exploration, the teacher's share constant (no decay)
  const config: DqnConfig = {
    ...o.config,
    learningRate: recipe.learningRate ?? o.config.learningRate,
    margin: recipe.margin ?? o.config.margin,
    marginWeight: recipe.marginWeight ?? o.config.marginWeight,
    demoStart: recipe.demoProbability,
    demoEnd: recipe.demoProbability,
    epsStart: recipe.epsStart,
    epsEnd: recipe.epsEnd,
    warmupTransitions: 256,
  };
  const learner = new DqnLearner(config);
  const base = Mlp.fromJSON(o.base);
  learner.online.copyFrom(base);
  learner.target.copyFrom(base);
  const teacher = teacherOf(recipe, base, config);
  const valScore = (net: Mlp) => (val.length > 0 ? scoreOn(net, config, val) : Number.NaN);
  const validationBase = valScore(base);
  let best = { net: base.clone(), score: validationBase, episode: 0 };
  const t0 = Date.now();
  let episodes = 0;
  let validated = 0;
  const validate = () => {
    validated = episodes;
    const s = valScore(learner.online);
    if (s < best.score && s < validationBase * (1 - recipe.validationMinGain))
      best = { net: learner.online.clone(), score: s, episode: episodes };
  };
  while (episodes < o.episodes && Date.now() - t0 < o.timeBudgetMs) {
    // the base's free-time model (its card's), so the candidate learns on the observations it will get
    runEpisode(learner, fit[episodes % fit.length]!, teacher, { freeTime: config.rl.freeTime });
    episodes++;
    if (val.length > 0 && episodes % recipe.validateEvery === 0) validate();
  }
  // the last network too, when the episode count or the time budget ended between two validations
  if (val.length > 0 && validated !== episodes) validate();
  const candidate = val.length > 0 ? best.net : learner.online.clone();
  const { mean: oldScore, perWindow: oldPer } = evaluate(base, config, heldOut);
  const { mean: newScore, perWindow: newPer } = evaluate(candidate, config, heldOut);
  return {
    candidate,
    oldScore,
    newScore,
    accepted: newScore < oldScore,
    trainWindows: train.length,
    heldOutWindows: heldOut.length,
    episodes,
    recipe,
    validationWindows: val.length,
    validationBase,
    validationBest: val.length > 0 ? best.score : Number.NaN,
    bestEpisode: val.length > 0 ? best.episode : episodes,
    heldOutDiff: pairedDiff(newPer, oldPer),
  };
}

/** mean of a - b per window with a 95% t interval (normal quantile past 30 windows) */
function pairedDiff(a: number[], b: number[]): SiteTuneResult['heldOutDiff'] {
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / Math.max(1, n);
  if (n < 2) return { mean, ciLow: Number.NaN, ciHigh: Number.NaN, perWindow: d };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n));
  return { mean, ciLow: mean - half, ciHigh: mean + half, perWindow: d };
}

/** two-sided 95% Student t quantile by degrees of freedom */
function tQuantile975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145];
  if (df <= table.length) return table[df - 1]!;
  return df < 30 ? 2.1 : 1.96;
}

/** the value recipe of a card's hyperparameters that fine-tuning keeps (its Q scale and returns) */
const RECIPE_KEYS = ['learningRate', 'gamma', 'tauMs', 'rewardScale', 'shaping', 'explore', 'nStep'] as const;

/**
 * The fine-tuning config for a base network: the training defaults, the hidden sizes of the network, the candidate
 * window of its card, and the value recipe its card records (training.hyperparameters), so fine-tuning refines its
 * ranking instead of refitting Q values of another scale (train-config.ts applyRecipe says why).
 */
export function siteTuneConfig(
  base: MlpJson,
  card:
    | {
        withWait: boolean;
        limits: DqnConfig['rl']['limits'];
        freeTime?: FreeTimeModel | undefined;
        training?: Record<string, unknown>;
      }
    | undefined,
  seed: number,
): DqnConfig {
  const config: DqnConfig = { ...defaultDqnConfig(seed), hidden: base.sizes.slice(1, -1), demoEnd: 0 };
  if (!card) return config;
  config.rl = { withWait: card.withWait, limits: { ...card.limits } };
  if (card.freeTime !== undefined) config.rl.freeTime = card.freeTime;
  const hp = card.training?.['hyperparameters'];
  if (typeof hp !== 'object' || hp === null) return config;
  const target = config as unknown as Record<string, unknown>;
  for (const k of RECIPE_KEYS) {
    const v = (hp as Record<string, unknown>)[k];
    if (v !== undefined && (target[k] === undefined || typeof v === typeof target[k])) target[k] = v;
  }
  return config;
}

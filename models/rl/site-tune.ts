// Fine-tuning the running model on the site's own trace: the trace is cut into windows of consecutive arrivals, the
// first ones train (the simulator replays them with agent speeds fitted from the trace), the last ones are held out.
// The candidate is accepted only when its mean slowdown on the held-out windows is below the running model's.
import { RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import { runPolicy } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { Simulator } from '../sim/simulator.js';
import { type DqnConfig, DqnLearner } from './dqn.js';
import { Mlp, type MlpJson } from './mlp.js';
import { type SiteTrace, scenarioFromSiteTrace } from './site-trace.js';
import { defaultDqnConfig } from './train-config.js';

export interface SiteTuneOptions {
  base: MlpJson;
  config: DqnConfig;
  /** arrivals per window */
  windowTasks: number;
  /** share of windows (the newest) held out for the accept/reject comparison, 0..1 */
  heldOutFraction: number;
  episodes: number;
  timeBudgetMs: number;
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

export function scoreOn(net: Mlp, config: DqnConfig, windows: readonly Scenario[]): number {
  const policy = new RlTsPolicy(net, config.rl);
  let sum = 0;
  let n = 0;
  for (const w of windows) {
    const r = runPolicy(w, policy);
    for (let i = 0; i < r.slowdown.length; i++) sum += r.slowdown[i]!;
    n += r.slowdown.length;
  }
  return n > 0 ? sum / n : Number.NaN;
}

export function fineTuneFromSite(trace: SiteTrace, o: SiteTuneOptions): SiteTuneResult {
  const windows = traceWindows(trace, o.windowTasks, o.config.seed);
  if (windows.length < 2)
    throw new RangeError(`site trace has ${windows.length} window(s) of ${o.windowTasks} tasks; need >= 2`);
  const held = Math.max(1, Math.round(windows.length * o.heldOutFraction));
  const train = windows.slice(0, windows.length - held);
  const heldOut = windows.slice(windows.length - held);
  // gentle fine-tuning: little exploration, no demonstrations, starting from the running network
  const config: DqnConfig = { ...o.config, demoStart: 0, epsStart: 0.05, epsEnd: 0.02, warmupTransitions: 256 };
  const learner = new DqnLearner(config);
  const base = Mlp.fromJSON(o.base);
  learner.online.copyFrom(base);
  learner.target.copyFrom(base);
  const t0 = Date.now();
  let episodes = 0;
  while (episodes < o.episodes && Date.now() - t0 < o.timeBudgetMs) {
    const sim = new Simulator(train[episodes % train.length]!);
    let cost = 0;
    while (!sim.done) cost = sim.step(learner.decide(sim.observation(), cost)).slowdownCost;
    learner.endEpisode(cost);
    episodes++;
  }
  const oldScore = scoreOn(base, config, heldOut);
  const newScore = scoreOn(learner.online, config, heldOut);
  return {
    candidate: learner.online.clone(),
    oldScore,
    newScore,
    accepted: newScore < oldScore,
    trainWindows: train.length,
    heldOutWindows: heldOut.length,
    episodes,
  };
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
  card: { withWait: boolean; limits: DqnConfig['rl']['limits']; training?: Record<string, unknown> } | undefined,
  seed: number,
): DqnConfig {
  const config: DqnConfig = { ...defaultDqnConfig(seed), hidden: base.sizes.slice(1, -1), demoEnd: 0 };
  if (!card) return config;
  config.rl = { withWait: card.withWait, limits: { ...card.limits } };
  const hp = card.training?.['hyperparameters'];
  if (typeof hp !== 'object' || hp === null) return config;
  const target = config as unknown as Record<string, unknown>;
  for (const k of RECIPE_KEYS) {
    const v = (hp as Record<string, unknown>)[k];
    if (v !== undefined && (target[k] === undefined || typeof v === typeof target[k])) target[k] = v;
  }
  return config;
}

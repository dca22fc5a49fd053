// Policies given more information than the tuned heuristics get, FOR MEASUREMENT ONLY (bench scheduler-headroom): how
// much of their slowdown is due to what they do not see. +exact and rollout(...) see what no gateway can know; +queue
// and +wN only widen the window. Never registered as policies, never used by the gateway. A variant is named
// BASE[@knob=v;knob=v][+queue|+wN][+exact]:
//   +queue  the whole waiting queue is shown (tasksWindowMax = task count) instead of the base window (not an oracle
//           either: the gateway holds the whole queue; the window bounds the policy's work per decision)
//   +wN     a window of N waiting tasks instead of the base window (bench --window, default 64)
//   +exact  the policy sees exact durations: the scenario is rewritten with estDurationMs = estimate x durationFactor
//           and durationFactor = 1, which changes nothing the simulator does (run time, ideal, slowdown are the same
//           products) but makes every estimate the policy reads (TaskView.estDurationMs, AgentView.estFreeAtMs) exact
//   @k=v    tuned knobs overridden (e.g. hungarian@tasksMax=64)
// BASE `rl` is the shipped model (models/shipped, its TypeScript forward pass, which matches the ONNX model).
// rollout(VARIANT) is the rollout teacher (models/rl/rollout-policy.ts, clairvoyant) over that variant; with sampled
// futures (bench --rollout K/H/terminal/S) it sees no more than the variant does, plus the workload's distributions.
import { readFileSync } from 'node:fs';
import { heuristicByName } from '../../../models/rl/heuristics.js';
import { type RolloutKnobs, RolloutPolicy } from '../../../models/rl/rollout-policy.js';
import { SampledFuture } from '../../../models/rl/sampled-future.js';
import { optionsFor } from '../../../models/sim/run.js';
import type { Scenario } from '../../../models/sim/scenario.js';
import type { SimOptions } from '../../../models/sim/simulator.js';
import { cardPathFor, defaultModelPath } from '../../../runtime/scheduler/load-policy.js';
import { createPolicy } from '../../../runtime/scheduler/policies/registry.js';
import { RlTsPolicy } from '../../../runtime/scheduler/policies/rl-policy.js';
import { readTuned } from '../../../runtime/scheduler/policies/tuned.js';
import type { Policy } from '../../../runtime/scheduler/policy.js';
import { type Decide, policyDecide } from './excess-decomposition.js';

export interface Variant {
  name: string;
  base: string;
  knobs: Record<string, number | string>;
  queue: boolean;
  /** tasksWindowMax when set (+wN) */
  window?: number | undefined;
  exact: boolean;
  rollout?: Partial<RolloutKnobs> | undefined;
  /** with rollout: sampled futures per decision (models/rl/sampled-future.ts); unset = the clairvoyant rollout */
  futureSamples?: number | undefined;
}

/** What a rollout over sampled futures draws from: an independent task stream of the workload and its noise sigma. */
export interface FutureSource {
  stream: Scenario;
  durationSigma: number;
  seed: number;
}

export const DEFAULT_VARIANTS =
  'hungarian+w256,hungarian+queue,hungarian+exact,hungarian+queue+exact,hungarian@tasksMax=64+queue+exact,sjf,sjf+queue,tetris,tetris+queue';

/** Parses one variant name (see the header); throws naming the part that is wrong. */
export function parseVariant(name: string): Variant {
  const [head, ...mods] = name.split('+');
  const [base, knobText] = (head ?? '').split('@');
  if (!base) throw new TypeError(`variant "${name}": missing base policy`);
  const knobs: Record<string, number | string> = {};
  for (const kv of knobText ? knobText.split(';') : []) {
    const [k, v] = kv.split('=');
    if (!k || v === undefined) throw new TypeError(`variant "${name}": knob "${kv}" is not k=v`);
    knobs[k] = Number.isFinite(Number(v)) ? Number(v) : v;
  }
  let window: number | undefined;
  for (const m of mods) {
    const w = /^w(\d+)$/.exec(m);
    if (w) window = Number(w[1]);
    else if (m !== 'queue' && m !== 'exact')
      throw new TypeError(`variant "${name}": unknown modifier "+${m}" (queue, exact, wN)`);
  }
  if (window !== undefined && !(window >= 1)) throw new TypeError(`variant "${name}": +wN wants N >= 1`);
  if (base !== 'rl')
    createPolicy(base, { ...(readTuned()?.policies[base] ?? {}), ...knobs }); // fail now if bad
  else shippedRl(); // fail now when the shipped model is missing
  return { name, base, knobs, queue: mods.includes('queue'), window, exact: mods.includes('exact') };
}

/** The rollout teacher over a variant's policy. */
export function rolloutVariant(
  of: Variant,
  knobs: Partial<RolloutKnobs>,
  label: string,
  futureSamples?: number | undefined,
): Variant {
  return { ...of, name: `rollout${label}(${of.name})`, rollout: knobs, futureSamples };
}

/** The scenario with exact estimates (see +exact); same physics, same ideal run times. */
export function exactScenario(s: Scenario): Scenario {
  return {
    ...s,
    tasks: s.tasks.map((t) => ({ ...t, estDurationMs: t.estDurationMs * t.durationFactor, durationFactor: 1 })),
  };
}

let shipped: { net: Parameters<typeof RlTsPolicy.fromJSON>[0]; opts: RlTsPolicy['opts'] } | undefined;

/** The shipped model as a synchronous policy (weights and candidate limits from models/shipped). */
function shippedRl(): RlTsPolicy {
  if (!shipped) {
    const onnx = defaultModelPath();
    const card = JSON.parse(readFileSync(cardPathFor(onnx), 'utf8')) as RlTsPolicy['opts'];
    const net = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, '.weights.json'), 'utf8'));
    shipped = { net, opts: { withWait: card.withWait, limits: card.limits } };
  }
  return RlTsPolicy.fromJSON(shipped.net, shipped.opts);
}

function policyOf(v: Variant): Policy {
  if (v.base === 'rl') return shippedRl();
  if (Object.keys(v.knobs).length === 0) return heuristicByName(v.base);
  return createPolicy(v.base, { ...(readTuned()?.policies[v.base] ?? {}), ...v.knobs });
}

/**
 * What to run for a variant on one scenario: the (possibly rewritten) scenario, simulator options, the decider.
 * `baseWindow` is the window of variants without +queue or +wN (the bench pins it, so its reference does not move
 * with the simulator's default).
 */
export function variantRun(
  v: Variant,
  s: Scenario,
  baseWindow?: number | undefined,
  future?: FutureSource | undefined,
): { scenario: Scenario; options: SimOptions; decide: Decide } {
  const scenario = v.exact ? exactScenario(s) : s;
  const windowMax = v.queue ? Math.max(1, s.tasks.length) : (v.window ?? baseWindow);
  const policy = policyOf(v);
  // a learned model is shown the free times it was trained with (its card), as runPolicy does
  const options = optionsFor(policy, windowMax !== undefined ? { tasksWindowMax: windowMax } : {});
  if (!v.rollout) return { scenario, options, decide: policyDecide(policy) };
  if (v.futureSamples && !future) throw new TypeError(`variant "${v.name}": sampled futures need a FutureSource`);
  const sampled = v.futureSamples && future;
  const teacher = new RolloutPolicy(
    policy,
    v.rollout,
    sampled
      ? { sampler: new SampledFuture(future.stream, future.durationSigma, future.seed), samples: v.futureSamples! }
      : undefined,
  );
  return { scenario, options, decide: (sim) => teacher.decideWithSim(sim) };
}

// The gateway's one way to get its scheduling policy. `rl` (the default) loads the shipped ONNX model and its card;
// a missing, corrupt or feature-mismatched model is refused with ONE log line naming the reason and the heuristic
// used instead, so the gateway always schedules.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPolicy } from './policies/registry.js';
import { RlOnnxPolicy } from './policies/rl-policy.js';
import { readTuned } from './policies/tuned.js';
import type { Policy } from './policy.js';

export interface SchedulerPolicyConfig {
  /** policy name; default 'rl' */
  policy?: string | undefined;
  /** .onnx file; default models/shipped/scheduler.onnx of this package */
  modelPath?: string | undefined;
  /** model card JSON; default: modelPath with .onnx replaced by .card.json */
  cardPath?: string | undefined;
  /** heuristic used when `rl` cannot load */
  fallback?: string | undefined;
}

export interface PolicyLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Builds a heuristic by name; throws listing valid names when unknown. */
export type HeuristicFactory = (name: string) => Policy;

/** the strongest tuned baseline in the scheduling benchmark */
export const DEFAULT_FALLBACK = 'hungarian';

/** The runtime's heuristics with their tuned knobs (runtime/scheduler/policies/tuned.json) when present. */
export const registryHeuristics: HeuristicFactory = (name) => createPolicy(name, readTuned()?.policies[name] ?? {});

/** models/shipped/scheduler.onnx, found by walking up from this file (works from the sources and from dist/). */
export function defaultModelPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'models', 'shipped', 'scheduler.onnx');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return join(process.cwd(), 'models', 'shipped', 'scheduler.onnx');
}

export function cardPathFor(modelPath: string): string {
  return modelPath.replace(/\.onnx$/, '') + '.card.json';
}

export async function loadSchedulerPolicy(
  config: SchedulerPolicyConfig,
  logger: PolicyLogger,
  heuristics: HeuristicFactory = registryHeuristics,
): Promise<Policy> {
  const name = config.policy ?? 'rl';
  const fallback = config.fallback ?? DEFAULT_FALLBACK;
  if (name !== 'rl') {
    const p = heuristics(name);
    logger.info(`scheduler: policy "${p.name}"`);
    return p;
  }
  const modelPath = config.modelPath ?? defaultModelPath();
  const cardPath = config.cardPath ?? cardPathFor(modelPath);
  try {
    const p = await RlOnnxPolicy.load(modelPath, cardPath);
    logger.info(`scheduler: policy "rl" model ${p.card.name} v${p.card.version} (${modelPath})`);
    return p;
  } catch (err) {
    const p = heuristics(fallback);
    logger.warn(`scheduler: model refused (${(err as Error).message}); falling back to heuristic "${p.name}"`);
    return p;
  }
}

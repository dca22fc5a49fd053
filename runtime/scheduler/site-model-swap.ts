// The one way a model retrained from the site's trace replaces the running policy, shared by the library function
// (models/rl/site-swap.ts retrainAndMaybeSwap) and the live gateway (site-learning.ts): the candidate is loaded and
// validated like the shipped model, swapped in (logged with both held-out scores), and the old ONNX session closed.
// A rejected candidate is logged with the same scores.
import { cardPathFor } from './load-policy.js';
import { RlOnnxPolicy } from './policies/rl-policy.js';
import type { SwappablePolicy } from './swappable-policy.js';

export interface HeldOutScores {
  /** mean slowdown of the candidate on the held-out windows */
  newScore: number;
  /** mean slowdown of the running model on the same windows */
  oldScore: number;
}

export function scoresText(s: HeldOutScores): string {
  return `held-out mean slowdown ${s.newScore.toFixed(4)} vs running ${s.oldScore.toFixed(4)}`;
}

export function logRejected(running: SwappablePolicy, s: HeldOutScores, logger: { info(msg: string): void }): void {
  logger.info(`scheduler: retrained model rejected, ${scoresText(s)}; keeping "${running.name}"`);
}

/**
 * Loads modelPath (card beside it) and swaps it in; the swap line reads
 * `scheduler: policy swapped "rl" -> "rl" (site retrain vVERSION: held-out mean slowdown X vs running Y)`.
 * Throws (nothing swapped) when the model is refused.
 */
export async function swapInSiteModel(
  running: SwappablePolicy,
  modelPath: string,
  version: string,
  s: HeldOutScores,
): Promise<RlOnnxPolicy> {
  const next = await RlOnnxPolicy.load(modelPath, cardPathFor(modelPath));
  const previous = running.swap(next, `site retrain v${version}: ${scoresText(s)}`);
  if (previous instanceof RlOnnxPolicy) {
    await running.settled(previous);
    await previous.close();
  }
  return next;
}

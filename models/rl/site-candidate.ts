// Writes a candidate fine-tuned from a site trace as shippable artefacts (NAME.onnx, card, weights; ship.ts), with a
// card saying where it came from and how it scored on the held-out windows. One writer for the offline command
// (train-site.ts), the library swap (site-swap.ts) and the gateway's retrain worker (site-retrain-worker.ts).
import { mkdirSync } from 'node:fs';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import type { DqnConfig } from './dqn.js';
import { shipModel } from './ship.js';
import type { SiteTuneResult } from './site-tune.js';

export interface SiteCandidateOptions {
  dir: string;
  version: string;
  /** file name without extension; default scheduler */
  name?: string | undefined;
  /** more provenance for card.training (the trace, the base model) */
  training?: Record<string, unknown> | undefined;
}

/** returns the .onnx path */
export function writeSiteCandidate(r: SiteTuneResult, config: DqnConfig, o: SiteCandidateOptions): string {
  mkdirSync(o.dir, { recursive: true });
  const card = cardSkeleton([...r.candidate.sizes], config.rl.withWait, config.rl.limits);
  card.version = o.version;
  card.createdAt = new Date().toISOString();
  if (config.rl.freeTime !== undefined) card.freeTime = config.rl.freeTime;
  const { seed, learningRate, gamma, tauMs, rewardScale, shaping, explore, nStep } = config;
  card.training = {
    source: 'site trace fine-tuning',
    episodes: r.episodes,
    trainWindows: r.trainWindows,
    // how it learned (site-tune.ts SiteRecipe) and which network it kept
    siteRecipe: r.recipe,
    validationWindows: r.validationWindows,
    bestEpisode: r.bestEpisode,
    // the recipe, so a later retrain from this model keeps it (site-tune.ts siteTuneConfig)
    hyperparameters: { seed, learningRate, gamma, tauMs, rewardScale, shaping, explore, nStep },
    ...o.training,
  };
  card.metrics = {
    heldOutMeanSlowdown: r.newScore,
    runningModelHeldOut: r.oldScore,
    heldOutWindows: r.heldOutWindows,
    // candidate minus running, per held-out window: its mean and 95% t interval (the gate's noise)
    heldOutDiffMean: r.heldOutDiff.mean,
    heldOutDiffCi: [r.heldOutDiff.ciLow, r.heldOutDiff.ciHigh],
  };
  return shipModel(r.candidate, card, o.dir, o.name ?? 'scheduler');
}

// Retrain from the site's trace and hot-swap the running model only when the candidate beats it on held-out windows.
import { mkdirSync } from 'node:fs';
import { cardPathFor } from '../../runtime/scheduler/load-policy.js';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import { RlOnnxPolicy } from '../../runtime/scheduler/policies/rl-policy.js';
import type { SwappablePolicy } from '../../runtime/scheduler/swappable-policy.js';
import type { DqnConfig } from './dqn.js';
import type { MlpJson } from './mlp.js';
import { shipModel } from './ship.js';
import type { SiteTrace } from './site-trace.js';
import { fineTuneFromSite, type SiteTuneResult } from './site-tune.js';

export interface SiteSwapOptions {
  trace: SiteTrace;
  /** weights of the model now running */
  base: MlpJson;
  config: DqnConfig;
  /** where an accepted candidate is written (a new file per version; the running file is never overwritten) */
  dir: string;
  version: string;
  episodes: number;
  timeBudgetMs: number;
  windowTasks?: number | undefined;
  heldOutFraction?: number | undefined;
  logger: { info(msg: string): void };
}

export async function retrainAndMaybeSwap(
  running: SwappablePolicy,
  o: SiteSwapOptions,
): Promise<SiteTuneResult & { modelPath?: string | undefined }> {
  const r = fineTuneFromSite(o.trace, {
    base: o.base,
    config: o.config,
    windowTasks: o.windowTasks ?? 200,
    heldOutFraction: o.heldOutFraction ?? 0.3,
    episodes: o.episodes,
    timeBudgetMs: o.timeBudgetMs,
  });
  const scores = `held-out mean slowdown ${r.newScore.toFixed(4)} vs running ${r.oldScore.toFixed(4)}`;
  if (!r.accepted) {
    o.logger.info(`scheduler: retrained model rejected, ${scores}; keeping "${running.name}"`);
    return r;
  }
  mkdirSync(o.dir, { recursive: true });
  const card = cardSkeleton([...r.candidate.sizes], o.config.rl.withWait, o.config.rl.limits);
  card.version = o.version;
  card.createdAt = new Date().toISOString();
  card.training = { source: 'site trace fine-tuning', episodes: r.episodes, trainWindows: r.trainWindows };
  card.metrics = { heldOutMeanSlowdown: r.newScore, runningModelHeldOut: r.oldScore, heldOutWindows: r.heldOutWindows };
  const modelPath = shipModel(r.candidate, card, o.dir, `scheduler-site-v${o.version}`);
  const next = await RlOnnxPolicy.load(modelPath, cardPathFor(modelPath));
  const previous = running.swap(next, `site retrain v${o.version}: ${scores}`);
  if (previous instanceof RlOnnxPolicy) await previous.close();
  return { ...r, modelPath };
}

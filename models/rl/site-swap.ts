// Retrain from the site's trace and hot-swap the running model only when the candidate beats it on held-out windows.
// In-process (the caller's event loop runs the training); the gateway runs the same steps with the training in a
// child process (runtime/scheduler/site-learning.ts, site-retrain-worker.ts) and the same swap (site-model-swap.ts).
import { logRejected, swapInSiteModel } from '../../runtime/scheduler/site-model-swap.js';
import type { SwappablePolicy } from '../../runtime/scheduler/swappable-policy.js';
import type { DqnConfig } from './dqn.js';
import type { MlpJson } from './mlp.js';
import { writeSiteCandidate } from './site-candidate.js';
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
  if (!r.accepted) {
    logRejected(running, r, o.logger);
    return r;
  }
  const modelPath = writeSiteCandidate(r, o.config, {
    dir: o.dir,
    version: o.version,
    name: `scheduler-site-v${o.version}`,
  });
  await swapInSiteModel(running, modelPath, o.version, r);
  return { ...r, modelPath };
}

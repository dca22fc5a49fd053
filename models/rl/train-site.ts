// `agentos model train --trace SITE.json`: fine-tunes the shipped (or a checkpoint's) network on a recorded site trace
// and writes the candidate only when it beats the base on the trace's held-out windows.
import { mkdirSync, readFileSync } from 'node:fs';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import type { MlpJson } from './mlp.js';
import { shipModel } from './ship.js';
import { parseSiteTrace, SITE_TRACE_VERSION } from './site-trace.js';
import { fineTuneFromSite, type SiteTuneResult } from './site-tune.js';
import { defaultDqnConfig } from './train-config.js';
import { loadCheckpoint } from './trainer.js';

/** True when the file is a site trace (JSON with version and runs) rather than an arrivals-only trace. */
export function isSiteTrace(path: string): boolean {
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; runs?: unknown };
    return j.version === SITE_TRACE_VERSION && Array.isArray(j.runs);
  } catch {
    return false;
  }
}

export interface SiteTrainArgs {
  trace: string;
  /** network to start from: a checkpoint (its best net) or the shipped weights file */
  resume?: string | undefined;
  shippedWeights: string;
  out: string;
  episodes: number;
  minutes: number;
  seed: number;
}

export function runSiteTraining(a: SiteTrainArgs): SiteTuneResult & { modelPath?: string | undefined } {
  const trace = parseSiteTrace(readFileSync(a.trace, 'utf8'), a.trace);
  let base: MlpJson;
  let config = defaultDqnConfig(a.seed);
  if (a.resume) {
    const ck = loadCheckpoint(a.resume);
    base = ck.best?.net ?? ck.dqn.online;
    config = { ...ck.dqn.config, seed: a.seed };
  } else {
    base = JSON.parse(readFileSync(a.shippedWeights, 'utf8')) as MlpJson;
    config = { ...config, hidden: base.sizes.slice(1, -1) };
  }
  const r = fineTuneFromSite(trace, {
    base,
    config,
    windowTasks: 200,
    heldOutFraction: 0.3,
    episodes: a.episodes,
    timeBudgetMs: a.minutes * 60_000,
  });
  if (!r.accepted) return r;
  mkdirSync(a.out, { recursive: true });
  const card = cardSkeleton([...r.candidate.sizes], config.rl.withWait, config.rl.limits);
  card.version = `site-${Date.now()}`;
  card.createdAt = new Date().toISOString();
  card.training = {
    source: 'site trace fine-tuning',
    trace: a.trace,
    episodes: r.episodes,
    trainWindows: r.trainWindows,
  };
  card.metrics = {
    heldOutMeanSlowdown: r.newScore,
    baseHeldOutMeanSlowdown: r.oldScore,
    heldOutWindows: r.heldOutWindows,
  };
  return { ...r, modelPath: shipModel(r.candidate, card, a.out) };
}

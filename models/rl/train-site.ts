// `agentos model train --trace SITE`: fine-tunes the shipped (or a checkpoint's) network on a recorded site trace
// (one file, or the gateway's trace directory with its rotated files) and writes the candidate only when it beats the
// base on the trace's held-out windows.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { MlpJson } from './mlp.js';
import { writeSiteCandidate } from './site-candidate.js';
import { SITE_TRACE_VERSION } from './site-trace.js';
import { readSiteTrace, siteTraceFiles } from './site-trace-dir.js';
import { fineTuneFromSite, type SiteTuneResult, siteTuneConfig } from './site-tune.js';
import { loadCheckpoint } from './trainer.js';

/** newest tasks read from a trace directory */
export const SITE_TRACE_TASKS_MAX = 20_000;

/**
 * True when the path is a site trace (JSON with version and runs) or a directory of site-trace*.json files, rather
 * than an arrivals-only trace.
 */
export function isSiteTrace(path: string): boolean {
  try {
    if (existsSync(path) && statSync(path).isDirectory()) return siteTraceFiles(path).length > 0;
    const j = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; runs?: unknown };
    return j.version === SITE_TRACE_VERSION && Array.isArray(j.runs);
  } catch {
    return false;
  }
}

export interface SiteTrainArgs {
  /** a trace file or the gateway's <dataDir>/scheduler directory */
  trace: string;
  /** network to start from: a checkpoint (its best net) or the shipped weights file */
  resume?: string | undefined;
  shippedWeights: string;
  out: string;
  episodes: number;
  minutes: number;
  seed: number;
  windowTasks?: number | undefined;
}

export function runSiteTraining(
  a: SiteTrainArgs,
): SiteTuneResult & { modelPath?: string | undefined; traceFiles: string[]; traceTasks: number } {
  const read = readSiteTrace(a.trace, { tasksMax: SITE_TRACE_TASKS_MAX });
  let base: MlpJson;
  let config: ReturnType<typeof siteTuneConfig>;
  if (a.resume) {
    const ck = loadCheckpoint(a.resume);
    base = ck.best?.net ?? ck.dqn.online;
    config = { ...ck.dqn.config, seed: a.seed };
  } else {
    base = JSON.parse(readFileSync(a.shippedWeights, 'utf8')) as MlpJson;
    const cardPath = a.shippedWeights.replace(/\.weights\.json$/, '.card.json');
    const card = existsSync(cardPath) ? JSON.parse(readFileSync(cardPath, 'utf8')) : undefined;
    config = siteTuneConfig(base, card, a.seed);
  }
  const r = fineTuneFromSite(read.trace, {
    base,
    config,
    windowTasks: a.windowTasks ?? 200,
    heldOutFraction: 0.3,
    episodes: a.episodes,
    timeBudgetMs: a.minutes * 60_000,
  });
  const extra = { traceFiles: read.files, traceTasks: read.trace.tasks.length };
  if (!r.accepted) return { ...r, ...extra };
  const modelPath = writeSiteCandidate(r, config, {
    dir: a.out,
    version: `site-${Date.now()}`,
    training: { trace: a.trace, traceFiles: read.files },
  });
  return { ...r, ...extra, modelPath };
}

// Learning from the site in the running gateway: a retrain (API `model.retrain`, `agentos model retrain`, or by itself
// every scheduler.siteLearning.everyRuns completed runs) fine-tunes the running network on the older windows of the
// recorded site trace in a worker process, and the candidate replaces the running model WITHOUT A RESTART only when it
// beats it on the newest (held-out) windows; the swap or the rejection is logged with both scores, and the pointer
// <dataDir>/scheduler/active-model.json makes a restart load the site model. One retrain at a time; a failed one is
// logged and the gateway keeps its policy.
import { join } from 'node:path';
import { ApiError } from '../bus/api-router.js';
import type { GatewayContext } from '../component.js';
import { ACTIVE_MODEL_FORMAT, type ActiveModelPointer, writeActiveModel } from './active-model.js';
import { cardPathFor } from './load-policy.js';
import type { SchedulerPolicyComponent } from './policy-component.js';
import type { RetrainJob, RetrainSummary } from './retrain-job.js';
import { RetrainProcess } from './retrain-process.js';
import { logRejected, swapInSiteModel } from './site-model-swap.js';
import { nextSiteNumber, pruneSiteModels, siteModelsDir } from './site-models-dir.js';
import type { SiteTraceFile } from './site-trace-file.js';

export interface RetrainParams {
  episodes?: number | undefined;
  minutes?: number | undefined;
}

export interface RetrainOutcome extends RetrainSummary {
  /** the candidate was accepted and is now the running policy */
  swapped: boolean;
  trigger: 'api' | 'auto';
  startedAt: string;
  finishedAt: string;
}

export interface LastRetrain {
  trigger: 'api' | 'auto';
  startedAt: string;
  finishedAt: string;
  result: RetrainOutcome | null;
  error: string | null;
}

/** the worker's niceness: below the gateway (0), so scheduling and MQTT win the CPU */
const WORKER_NICE = 10;
/** time the worker gets past its training budget to read the trace and score the held-out windows */
const SCORING_ALLOWANCE_MS = 120_000;

export class SiteLearning {
  readonly #process = new RetrainProcess();
  #current: { startedAt: string; trigger: 'api' | 'auto' } | null = null;
  #last: LastRetrain | null = null;
  #runsSince = 0;
  #counts = { retrains: 0, accepted: 0, failed: 0 };
  #stopped = false;

  constructor(
    private readonly ctx: Pick<GatewayContext, 'config' | 'logger'>,
    private readonly policy: SchedulerPolicyComponent,
    private readonly trace: SiteTraceFile | null,
  ) {}

  start(): void {
    this.#stopped = false;
  }

  /** kills a retrain in progress (nothing is swapped) */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#process.stop();
  }

  /** a task finished on its agent; may start an automatic retrain */
  runCompleted(): void {
    this.#runsSince++;
    const c = this.ctx.config.scheduler.siteLearning;
    if (!c.enabled || this.#current || this.#stopped || this.#runsSince < c.everyRuns) return;
    this.retrain({}, 'auto').catch(() => undefined); // logged in #run
  }

  /** Runs one retrain; throws an ApiError saying why none could run or why it failed. */
  retrain(p: RetrainParams, trigger: 'api' | 'auto' = 'api'): Promise<RetrainOutcome> {
    if (this.#current) {
      const c = this.#current;
      const pid = this.#process.pid;
      return Promise.reject(
        new ApiError('limit_reached', `a retrain is already running (${c.trigger}, since ${c.startedAt}, pid ${pid})`),
      );
    }
    const refused = this.#refusal();
    if (refused) return Promise.reject(new ApiError('unavailable', refused));
    this.#current = { startedAt: new Date().toISOString(), trigger };
    return this.#run(p, this.#current).finally(() => {
      this.#current = null;
    });
  }

  status(): Record<string, unknown> {
    const running = this.policy.running;
    const swappable = this.policy.policy;
    return {
      policy: swappable?.name ?? null,
      source: running.source,
      modelPath: running.modelPath,
      version: running.version,
      configuredModelPath: this.policy.configuredModelPath,
      swaps: swappable?.swapCount ?? 0,
      retrain: {
        running: this.#current ? { ...this.#current, pid: this.#process.pid } : null,
        runsSinceLast: this.#runsSince,
        ...this.#counts,
        last: this.#last,
      },
      siteLearning: this.ctx.config.scheduler.siteLearning,
      trace: this.trace ? { dir: this.policy.schedulerDir, ...this.trace.stats } : null,
    };
  }

  #refusal(): string | null {
    if (this.#stopped) return 'the gateway is stopping';
    if (!this.policy.policy) return 'the scheduler is not started';
    if (!this.trace) return 'the site trace is off (scheduler.traceEnabled false): nothing to retrain from';
    const r = this.policy.running;
    if (r.source === 'heuristic' || !r.modelPath) {
      const name = this.policy.policy?.name ?? 'none';
      return `the running policy is the heuristic "${name}", not a model: retraining fine-tunes a running rl model`;
    }
    return null;
  }

  async #run(p: RetrainParams, current: { startedAt: string; trigger: 'api' | 'auto' }): Promise<RetrainOutcome> {
    const c = this.ctx.config.scheduler.siteLearning;
    this.#runsSince = 0;
    this.#counts.retrains++;
    const log = this.ctx.logger;
    try {
      const job = await this.#job(p);
      log.info(
        { episodes: job.episodes, minutes: job.timeBudgetMs / 60_000, trigger: current.trigger, version: job.version },
        'scheduler: retraining from the site trace in a worker process',
      );
      const minutes = p.minutes ?? c.minutes;
      const summary = await this.#process.run(job, {
        heapMb: c.workerHeapMb,
        killAfterMs: minutes * 90_000 + SCORING_ALLOWANCE_MS,
      });
      const swapped = await this.#apply(summary);
      const outcome: RetrainOutcome = { ...summary, swapped, ...current, finishedAt: new Date().toISOString() };
      this.#last = { ...current, finishedAt: outcome.finishedAt, result: outcome, error: null };
      return outcome;
    } catch (err) {
      const message = (err as Error).message;
      this.#counts.failed++;
      this.#last = { ...current, finishedAt: new Date().toISOString(), result: null, error: message };
      log.warn(`scheduler: retrain failed (${message}); keeping "${this.policy.policy?.name ?? 'none'}"`);
      throw err instanceof ApiError ? err : new ApiError('unavailable', `retrain failed: ${message}`);
    }
  }

  async #job(p: RetrainParams): Promise<RetrainJob> {
    const c = this.ctx.config.scheduler.siteLearning;
    const running = this.policy.running;
    const modelPath = running.modelPath!;
    // what the worker reads must be on disk: the current file is otherwise rewritten only every flush interval
    await this.trace!.flush();
    const dir = siteModelsDir(this.policy.schedulerDir);
    const n = await nextSiteNumber(dir);
    const root = (running.version ?? '0').replace(/-site\.\d+$/, '');
    return {
      traceDir: this.policy.schedulerDir,
      traceTasksMax: c.traceTasksMax,
      baseWeightsPath: `${modelPath.replace(/\.onnx$/, '')}.weights.json`,
      baseCardPath: cardPathFor(modelPath),
      outDir: join(dir, `site-${n}`),
      version: `${root}-site.${n}`,
      episodes: p.episodes ?? c.episodes,
      timeBudgetMs: Math.round((p.minutes ?? c.minutes) * 60_000),
      windowTasks: c.windowTasks,
      heldOutFraction: c.heldOutFraction,
      seed: n,
      nice: WORKER_NICE,
    };
  }

  /** swaps an accepted candidate in and points restarts at it; true when swapped */
  async #apply(s: RetrainSummary): Promise<boolean> {
    const running = this.policy.policy;
    if (!running || this.#stopped) return false;
    const log = { info: (m: string) => this.ctx.logger.info(m) };
    if (!s.accepted || !s.modelPath) {
      logRejected(running, s, log);
      return false;
    }
    try {
      await swapInSiteModel(running, s.modelPath, s.version, s);
    } catch (err) {
      throw new Error(`candidate ${s.modelPath} refused at load: ${(err as Error).message}`);
    }
    this.#counts.accepted++;
    const before = this.policy.running;
    const pointer: ActiveModelPointer = {
      format: ACTIVE_MODEL_FORMAT,
      modelPath: s.modelPath,
      modelVersion: s.version,
      site: Number(/-site\.(\d+)$/.exec(s.version)?.[1] ?? 0),
      baseModelPath: before.site?.baseModelPath ?? this.policy.configuredModelPath,
      baseVersion: before.site?.baseVersion ?? before.version ?? '0',
      acceptedAt: new Date().toISOString(),
      heldOut: { candidate: s.newScore, running: s.oldScore, windows: s.heldOutWindows },
    };
    this.policy.siteSwapped(pointer);
    try {
      await writeActiveModel(this.policy.schedulerDir, pointer);
      const dir = siteModelsDir(this.policy.schedulerDir);
      await pruneSiteModels(dir, this.ctx.config.scheduler.siteLearning.modelsKeptMax, pointer.site);
    } catch (err) {
      this.ctx.logger.warn(
        `scheduler: site model v${s.version} runs, but ${(err as Error).message}: a restart may load the configured model`,
      );
    }
    return true;
  }
}

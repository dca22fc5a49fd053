// Loads the gateway's scheduling policy at start: the site model a retrain put in place (<dataDir>/scheduler/
// active-model.json) when there is one, else the configured (shipped) model (`rl`), else a named heuristic when the
// model is refused (one log line) or configured. The policy sits behind a SwappablePolicy so a model retrained from
// the site's trace can replace it without a restart (site-learning.ts). The task queue reads `policy`.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Component, GatewayContext } from '../component.js';
import { type ActiveModelPointer, readActiveModel } from './active-model.js';
import { cardPathFor, defaultModelPath, loadSchedulerPolicy, type PolicyLogger } from './load-policy.js';
import { RlOnnxPolicy } from './policies/rl-policy.js';
import { SwappablePolicy } from './swappable-policy.js';

export type ModelSource = 'shipped' | 'site' | 'heuristic';

export interface RunningModel {
  source: ModelSource;
  /** the running .onnx; null for a heuristic */
  modelPath: string | null;
  /** its card's version; null for a heuristic */
  version: string | null;
  /** the pointer of the running site model */
  site: ActiveModelPointer | null;
}

export class SchedulerPolicyComponent implements Component {
  readonly name = 'scheduler-policy';
  /** <dataDir>/scheduler */
  readonly schedulerDir: string;
  private swappable: SwappablePolicy | null = null;
  #running: RunningModel = { source: 'heuristic', modelPath: null, version: null, site: null };

  constructor(private readonly ctx: Pick<GatewayContext, 'config' | 'logger'>) {
    this.schedulerDir = join(resolve(ctx.config.store.dataDir), 'scheduler');
  }

  /** the running policy; null before start() */
  get policy(): SwappablePolicy | null {
    return this.swappable;
  }

  get running(): RunningModel {
    return this.#running;
  }

  /** the model file of `scheduler.modelPath`, or the shipped one */
  get configuredModelPath(): string {
    return this.ctx.config.scheduler.modelPath || defaultModelPath();
  }

  /** a site model was swapped in (site-learning.ts) */
  siteSwapped(pointer: ActiveModelPointer): void {
    this.#running = { source: 'site', modelPath: pointer.modelPath, version: pointer.modelVersion, site: pointer };
  }

  async start(): Promise<void> {
    if (this.swappable) return;
    const c = this.ctx.config.scheduler;
    const log: PolicyLogger = {
      info: (m: string) => this.ctx.logger.info(m),
      warn: (m: string) => this.ctx.logger.warn(m),
    };
    const site = c.policy === 'rl' ? await this.#loadSite(log) : null;
    if (site) {
      this.swappable = new SwappablePolicy(site.policy, log);
      this.siteSwapped(site.pointer);
      return;
    }
    const modelPath = this.configuredModelPath;
    const policy = await loadSchedulerPolicy({ policy: c.policy, modelPath, fallback: c.fallback }, log);
    this.#running =
      policy instanceof RlOnnxPolicy
        ? { source: 'shipped', modelPath, version: policy.card.version, site: null }
        : { source: 'heuristic', modelPath: null, version: null, site: null };
    this.swappable = new SwappablePolicy(policy, log);
  }

  async stop(): Promise<void> {
    const s = this.swappable;
    this.swappable = null;
    if (s?.active instanceof RlOnnxPolicy) {
      await s.settled(s.active);
      await s.active.close();
    }
  }

  /** the site model of the pointer, validated like the shipped one; null (after one warning line) when refused */
  async #loadSite(log: PolicyLogger): Promise<{ policy: RlOnnxPolicy; pointer: ActiveModelPointer } | null> {
    const instead = this.ctx.config.scheduler.modelPath ? 'the configured model' : 'the shipped model';
    let pointer: ActiveModelPointer | null;
    try {
      pointer = await readActiveModel(this.schedulerDir);
    } catch (err) {
      log.warn(`scheduler: site model refused (${(err as Error).message}); using ${instead}`);
      return null;
    }
    if (!pointer) return null;
    // a site model tuned from another version of the configured model (an upgrade shipped a new one) is left aside
    const baseVersion = await cardVersion(this.configuredModelPath);
    if (baseVersion !== null && baseVersion !== pointer.baseVersion) {
      log.warn(
        `scheduler: site model v${pointer.modelVersion} was tuned from v${pointer.baseVersion}, the configured ` +
          `model is now v${baseVersion}; using ${instead}`,
      );
      return null;
    }
    try {
      const policy = await RlOnnxPolicy.load(pointer.modelPath, cardPathFor(pointer.modelPath));
      log.info(`scheduler: policy "rl" site model ${policy.card.name} v${policy.card.version} (${pointer.modelPath})`);
      return { policy, pointer };
    } catch (err) {
      log.warn(`scheduler: site model refused (${(err as Error).message}); using ${instead}`);
      return null;
    }
  }
}

/** the card version of a model file, or null when its card cannot be read */
export async function cardVersion(modelPath: string): Promise<string | null> {
  try {
    const card = JSON.parse(await readFile(cardPathFor(modelPath), 'utf8')) as { version?: unknown };
    return typeof card.version === 'string' ? card.version : null;
  } catch {
    return null;
  }
}

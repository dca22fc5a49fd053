// Loads the gateway's scheduling policy at start: the shipped model (`rl`) by default, a named heuristic when the
// model is refused (one log line) or configured. The policy sits behind a SwappablePolicy so a model retrained from
// the site's trace can replace it without a restart. The task queue reads `policy`.
import type { Component, GatewayContext } from '../component.js';
import { loadSchedulerPolicy } from './load-policy.js';
import { RlOnnxPolicy } from './policies/rl-policy.js';
import { SwappablePolicy } from './swappable-policy.js';

export class SchedulerPolicyComponent implements Component {
  readonly name = 'scheduler-policy';
  private swappable: SwappablePolicy | null = null;

  constructor(private readonly ctx: Pick<GatewayContext, 'config' | 'logger'>) {}

  /** the running policy; null before start() */
  get policy(): SwappablePolicy | null {
    return this.swappable;
  }

  async start(): Promise<void> {
    if (this.swappable) return;
    const c = this.ctx.config.scheduler;
    const log = {
      info: (m: string) => this.ctx.logger.info(m),
      warn: (m: string) => this.ctx.logger.warn(m),
    };
    const policy = await loadSchedulerPolicy(
      { policy: c.policy, modelPath: c.modelPath || undefined, fallback: c.fallback },
      log,
    );
    this.swappable = new SwappablePolicy(policy, log);
  }

  async stop(): Promise<void> {
    const s = this.swappable;
    this.swappable = null;
    if (s?.active instanceof RlOnnxPolicy) await s.active.close();
  }
}

// The agent kernel as one gateway component: the supervisor of software agents, the agents' storage and mailboxes
// over MQTT, and resource accounting, wired to the agent table and the gateway API. Installed agents come back when
// the gateway starts again (the supervisor's list lives under the data dir).
import { join, resolve } from 'node:path';
import type { Component, GatewayContext } from '../component.js';
import { AccountingEndpoint } from './accounting/accounting-endpoint.js';
import { MailboxEndpoint } from './mailbox/mailbox-endpoint.js';
import { registerMailboxMethods } from './mailbox/mailbox-methods.js';
import { StorageEndpoint } from './storage/storage-endpoint.js';
import { StorageService } from './storage/storage-service.js';
import type { SandboxArgs } from './supervisor/sandbox.js';
import { Supervisor } from './supervisor/supervisor.js';
import { linkSupervisorToRegistry, registerSupervisorMethods, touchRunning } from './supervisor/supervisor-endpoint.js';

export interface KernelComponentOptions {
  /** node arguments that sandbox an agent (runtime/security); none by default */
  sandboxArgs?: SandboxArgs | undefined;
  /** extra environment for an agent (credentials); the kernel adds AGENTOS_URL, _AGENT_ID, _STORAGE_DIR, _STATE_DIR */
  agentEnv?: ((name: string) => Record<string, string>) | undefined;
}

export class KernelComponent implements Component {
  readonly name = 'kernel';
  readonly supervisor: Supervisor;
  readonly storage: StorageService;
  private readonly storageEndpoint: StorageEndpoint;
  private readonly mailboxEndpoint: MailboxEndpoint;
  private readonly accountingEndpoint: AccountingEndpoint;
  private undo: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: GatewayContext,
    opts: KernelComponentOptions = {},
  ) {
    const k = ctx.config.kernel;
    const dataDir = resolve(ctx.config.store.dataDir);
    this.storage = new StorageService({ dataDir, limits: { quotaBytes: k.storageQuotaBytes } });
    this.supervisor = new Supervisor({
      dataDir,
      logger: ctx.logger,
      sandboxArgs: opts.sandboxArgs,
      storageDirFor: (name, manifest) => {
        const mb = manifest.limits.storageMb;
        if (mb !== undefined) this.storage.setQuota(name, mb * 1048576);
        return this.storage.ns(name).filesDir;
      },
      kernelEnv: (name) => ({
        ...(opts.agentEnv?.(name) ?? {}),
        AGENTOS_URL: this.brokerUrl(),
        AGENTOS_STATE_DIR: join(this.storage.ns(name).filesDir, '.sdk'),
      }),
      pollMs: k.pollMs,
      logBytesMax: k.logBytesMax,
      logFilesMax: k.logFilesMax,
      agentsMax: k.agentsMax,
    });
    this.storageEndpoint = new StorageEndpoint({ ...ctx, storage: this.storage });
    this.mailboxEndpoint = new MailboxEndpoint({
      ...ctx,
      dataDir,
      limits: { queueLengthMax: k.mailboxQueueLengthMax, queueBytesMax: k.mailboxQueueBytesMax },
      extraKnown: (id) => id === ctx.config.gateway.id,
    });
    this.accountingEndpoint = new AccountingEndpoint(ctx.bus, ctx.api, ctx.accounting);
  }

  /** where supervised agents connect: the embedded broker on loopback, or the external broker */
  private brokerUrl(): string {
    const external = this.ctx.config.broker.url;
    if (external) return external;
    const port = (this.ctx.bus as { port?: number }).port ?? this.ctx.config.broker.port;
    return `mqtt://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    if (this.undo.length > 0) return;
    const { ctx } = this;
    ctx.accounting.setSources({
      processes: () =>
        this.supervisor.list().map((a) => ({ name: a.name, pid: a.pid, cpuPct: a.cpuPct, rssBytes: a.rssBytes })),
      reported: () => ctx.registry.list().map((a) => [a.id, a.use] as [string, typeof a.use]),
    });
    await this.storageEndpoint.start();
    await this.mailboxEndpoint.start();
    await this.accountingEndpoint.start();
    this.undo.push(
      linkSupervisorToRegistry(this.supervisor, ctx.registry),
      ...registerSupervisorMethods(ctx.api, this.supervisor),
      ...registerMailboxMethods(ctx.api, this.mailboxEndpoint.mailboxes, ctx.config.gateway.id),
      ctx.health.add('kernel', () => this.health()),
    );
    await this.supervisor.start();
    this.timer = setInterval(() => touchRunning(this.supervisor, ctx.registry), ctx.config.kernel.pollMs * 4);
  }

  private health(): Record<string, unknown> {
    const agents = this.supervisor.list();
    const t = this.ctx.accounting.totals();
    return {
      supervised: agents.length,
      running: agents.filter((a) => a.status === 'running').length,
      failed: agents.filter((a) => a.status === 'failed').length,
      duplicatesDropped: this.ctx.dedup.dropped,
      gatewayCpuPct: Math.round(t.gatewayCpuPct * 10) / 10,
      gatewayRssMb: Math.round(t.gatewayRssBytes / 1048576),
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.supervisor.stop();
    for (const u of this.undo.reverse()) u();
    this.undo = [];
    await this.accountingEndpoint.stop();
    await this.mailboxEndpoint.stop();
    await this.storageEndpoint.stop();
  }
}

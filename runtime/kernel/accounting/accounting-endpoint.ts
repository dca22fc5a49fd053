// Resource accounting on the gateway: counts every message on an agent's topics (in: what the agent publishes;
// out: what the gateway sends it), and answers resources.usage on the API.
import type { ApiRouter } from '../../bus/api-router.js';
import type { Bus, Unsubscribe } from '../../bus/bus.js';
import { type AgentChannel, ROOT } from '../../bus/topics.js';
import type { ResourceAccounting } from './resource-accounting.js';

/** channels an agent publishes; everything else under its topic comes from the gateway */
const INBOUND: ReadonlySet<AgentChannel> = new Set<AgentChannel>([
  'hello',
  'heartbeat',
  'status',
  'telemetry',
  'state',
  'commandReply',
  'taskUpdate',
  'mailboxSend',
  'mailboxAck',
  'storageRequest',
]);

export class AccountingEndpoint {
  private off: Unsubscribe | undefined;
  private removeMethod: (() => void) | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly api: ApiRouter,
    private readonly accounting: ResourceAccounting,
  ) {}

  async start(): Promise<void> {
    if (this.off) return;
    this.removeMethod = this.api.register<{ agentId?: string }>('resources.usage', {
      summary: 'resource use per agent (cpu%, rss, battery, messages and bytes in/out per second) and gateway totals',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: { agentId: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      handler: (p) => {
        const agents =
          p.agentId !== undefined
            ? [this.accounting.agent(p.agentId)].filter((a) => a !== undefined)
            : this.accounting.agents();
        return { agents, totals: this.accounting.totals() };
      },
    });
    // `info.agent`: the bus parsed the topic once for every handler (cached per topic)
    this.off = await this.bus.subscribe(`${ROOT}/agents/#`, (topic, payload, info) => {
      const parsed = info.agent;
      if (!parsed) return;
      const bytes = payload.length + topic.length;
      // the gateway republishes each agent's status (retained, "source":"gateway"): that copy goes out, not in
      const fromGateway = parsed.channel === 'status' && payload.includes('"source":"gateway"');
      if (INBOUND.has(parsed.channel) && !fromGateway) this.accounting.countIn(parsed.agentId, bytes);
      else this.accounting.countOut(parsed.agentId, bytes);
    });
    await this.accounting.start();
  }

  async stop(): Promise<void> {
    const off = this.off;
    this.off = undefined;
    this.removeMethod?.();
    this.removeMethod = undefined;
    await off?.();
    await this.accounting.stop();
  }
}

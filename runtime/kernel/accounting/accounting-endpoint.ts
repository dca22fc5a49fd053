// Resource accounting on the gateway: counts every message on an agent's topics (in: what the agent publishes;
// out: what the gateway sends it), and answers resources.usage on the API.
import type { ApiRouter } from '../../bus/api-router.js';
import type { Bus, Unsubscribe } from '../../bus/bus.js';
import { type AgentChannel, type ParsedAgentTopic, parseAgentTopic, ROOT } from '../../bus/topics.js';
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
/** parsed topics remembered (this handler sees every agent message); cleared when full */
const TOPIC_CACHE_MAX = 65536;

export class AccountingEndpoint {
  private off: Unsubscribe | undefined;
  private removeMethod: (() => void) | undefined;
  private readonly topicCache = new Map<string, ParsedAgentTopic | null>();

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
    this.off = await this.bus.subscribe(`${ROOT}/agents/#`, (topic, payload) => {
      const parsed = this.parsedTopic(topic);
      if (!parsed) return;
      const bytes = payload.length + topic.length;
      // the gateway republishes each agent's status (retained, "source":"gateway"): that copy goes out, not in
      const fromGateway = parsed.channel === 'status' && payload.includes('"source":"gateway"');
      if (INBOUND.has(parsed.channel) && !fromGateway) this.accounting.countIn(parsed.agentId, bytes);
      else this.accounting.countOut(parsed.agentId, bytes);
    });
    await this.accounting.start();
  }

  /** agents reuse the same few topics: a lookup instead of a split and a regex per message */
  private parsedTopic(topic: string): ParsedAgentTopic | null {
    let parsed = this.topicCache.get(topic);
    if (parsed === undefined) {
      if (this.topicCache.size >= TOPIC_CACHE_MAX) this.topicCache.clear();
      parsed = parseAgentTopic(topic);
      this.topicCache.set(topic, parsed);
    }
    return parsed;
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

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

/** what accounting needs of an agent topic, worked out once per topic */
interface CountedTopic {
  agentId: string;
  /** a channel the agent publishes */
  inbound: boolean;
  /** the status channel, where the gateway's own retained copy also appears */
  status: boolean;
}

export class AccountingEndpoint {
  private off: Unsubscribe | undefined;
  private removeMethod: (() => void) | undefined;
  private readonly topicCache = new Map<string, CountedTopic | null>();

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
      const counted = this.countedTopic(topic);
      if (!counted) return;
      const bytes = payload.length + topic.length;
      // the gateway republishes each agent's status (retained, "source":"gateway"): that copy goes out, not in
      const fromGateway = counted.status && payload.includes('"source":"gateway"');
      if (counted.inbound && !fromGateway) this.accounting.countIn(counted.agentId, bytes);
      else this.accounting.countOut(counted.agentId, bytes);
    });
    await this.accounting.start();
  }

  /** agents reuse the same few topics: a lookup instead of a split and a regex per message */
  private countedTopic(topic: string): CountedTopic | null {
    let counted = this.topicCache.get(topic);
    if (counted === undefined) {
      if (this.topicCache.size >= TOPIC_CACHE_MAX) this.topicCache.clear();
      counted = toCounted(parseAgentTopic(topic));
      this.topicCache.set(topic, counted);
    }
    return counted;
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

function toCounted(parsed: ParsedAgentTopic | null): CountedTopic | null {
  if (!parsed) return null;
  return { agentId: parsed.agentId, inbound: INBOUND.has(parsed.channel), status: parsed.channel === 'status' };
}

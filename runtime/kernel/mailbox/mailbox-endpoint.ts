// Mailboxes over MQTT. An agent sends on .../mailbox/send (to one agent or to a capability) and gets the outcome on
// .../mailbox/sent; the gateway delivers on the recipient's .../mailbox and drops a message from the queue when the
// recipient acks it on .../mailbox/ack. A hello means the agent (re)subscribed: what waits for it is delivered. A
// resent messageId (the SDK outbox after a crash) is accepted once: the recipient's queue and the dedup window both
// know it, and the window is journaled only after the message is stored, so a crash in between cannot lose it.
import type { Logger } from 'pino';
import { type Bus, subscribeAll, type Unsubscribe } from '../../bus/bus.js';
import type { ErrorBody } from '../../bus/schemas/api-messages.js';
import type { MailboxAckMessage, MailboxSendMessage, MailboxSentMessage } from '../../bus/schemas/kernel-messages.js';
import type { MailboxMessage } from '../../bus/schemas/mailbox-messages.js';
import { parseAgentTopic, topics } from '../../bus/topics.js';
import type { MessageValidator } from '../../bus/validator.js';
import type { DedupWindow } from '../dedup/dedup-window.js';
import type { AgentRegistry } from '../registry/registry.js';
import { MailboxError, type MailEnvelope } from './envelope.js';
import type { MailboxRouting } from './mailboxes.js';
import { Mailboxes, type MailboxLimits } from './mailboxes.js';

export interface MailboxEndpointOptions {
  bus: Bus;
  validator: MessageValidator;
  registry: AgentRegistry;
  dedup: DedupWindow;
  dataDir: string;
  limits?: Partial<MailboxLimits> | undefined;
  /** ids the gateway answers for (its own id: operator requests) besides registered agents */
  extraKnown?: ((agentId: string) => boolean) | undefined;
  logger: Logger;
}

export class MailboxEndpoint {
  readonly mailboxes: Mailboxes;
  private off: Unsubscribe | undefined;
  private offChange: (() => void) | undefined;

  constructor(private readonly o: MailboxEndpointOptions) {
    const routing: MailboxRouting = {
      knows: (id) => o.registry.get(id) !== undefined || (o.extraKnown?.(id) ?? false),
      isOnline: (id) => {
        const s = o.registry.get(id)?.status;
        return s === 'online' || s === 'busy';
      },
      withCapability: (cap) => o.registry.list({ capability: cap }).map((a) => a.id),
      deliver: (env) => this.deliver(env),
    };
    this.mailboxes = new Mailboxes({ dataDir: o.dataDir, routing, limits: o.limits });
  }

  async start(): Promise<void> {
    if (this.off) return;
    await this.mailboxes.start();
    this.offChange = this.o.registry.onChange((c) => {
      if (c.type === 'status' && (c.agent.status === 'offline' || c.agent.status === 'failed')) {
        this.mailboxes.agentOffline(c.agent.id);
      }
    });
    this.off = await subscribeAll(this.o.bus, [
      [topics.anyAgent('mailboxSend'), (t, p) => this.onSend(t, p)],
      [topics.anyAgent('mailboxAck'), (t, p) => this.onAck(t, p)],
      [topics.anyAgent('hello'), (t) => this.onHello(t)],
    ]);
  }

  async stop(): Promise<void> {
    const off = this.off;
    this.off = undefined;
    this.offChange?.();
    this.offChange = undefined;
    await off?.();
    await this.mailboxes.stop();
  }

  private deliver(env: MailEnvelope): void {
    const { to, ...rest } = env;
    const message: MailboxMessage = rest;
    this.o.bus.publish(topics.agent(to, 'mailbox'), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
      // stays queued; delivered again on the agent's next hello
      this.o.logger.warn({ err, to, messageId: env.messageId }, 'mailbox delivery failed');
    });
  }

  private onHello(topic: string): void {
    const parsed = parseAgentTopic(topic);
    if (parsed) this.mailboxes.agentOnline(parsed.agentId);
  }

  private onAck(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    if (!parsed) return;
    const m = this.o.validator.parse<MailboxAckMessage>('mailboxAck', payload);
    if (m.ok) this.mailboxes.ack(parsed.agentId, m.value.messageIds);
  }

  private onSend(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    if (!parsed) return;
    const from = parsed.agentId;
    const m = this.o.validator.parse<MailboxSendMessage>('mailboxSend', payload);
    if (!m.ok) {
      const id = guessMessageId(payload);
      if (id !== null) this.reply(from, { messageId: id, ok: false, error: m.error });
      return;
    }
    this.reply(from, this.accept(from, m.value));
  }

  /** Stores the message in each recipient's queue, then journals its id. */
  private accept(from: string, s: MailboxSendMessage): MailboxSentMessage {
    const { messageId } = s;
    if (this.o.dedup.has(from, messageId)) return { messageId, ok: true };
    const input = {
      from,
      messageId,
      body: s.body ?? null,
      subject: s.subject,
      expectsReply: s.expectsReply,
      inReplyTo: s.inReplyTo,
      timeoutMs: s.timeoutMs,
    };
    try {
      let to: string[];
      if (s.to !== undefined) {
        this.mailboxes.send({ ...input, to: s.to });
        to = [s.to];
      } else {
        const r = this.mailboxes.sendToCapability({ ...input, capability: s.capability! });
        to = r.sent.map((x) => x.to);
        if (to.length === 0) throw new MailboxError('limit_reached', r.refused.map((x) => x.error).join('; '));
      }
      this.o.dedup.record(from, messageId);
      return { messageId, ok: true, to };
    } catch (err) {
      return { messageId, ok: false, error: toErrorBody(err) };
    }
  }

  private reply(agentId: string, sent: MailboxSentMessage): void {
    this.o.bus.publish(topics.agent(agentId, 'mailboxSent'), JSON.stringify(sent), { qos: 1 }).catch(() => undefined);
  }
}

function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof MailboxError) return { code: err.code, message: err.message };
  return { code: 'internal', message: (err as Error).message };
}

function guessMessageId(payload: Buffer): string | null {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { messageId?: unknown };
    return typeof v?.messageId === 'string' && v.messageId.length > 0 && v.messageId.length <= 128 ? v.messageId : null;
  } catch {
    return null;
  }
}

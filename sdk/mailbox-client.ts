// Agent-to-agent messages through the gateway's mailboxes. send() and sendToCapability() are durable (outbox, QoS1,
// resent until acknowledged; the gateway accepts each message id once); request() waits for the reply with a timeout
// that names the request. Delivered messages are acknowledged after the handler ran, so delivery is at least once;
// the client drops repeats it has already seen in this session (bounded set).
import { randomUUID } from 'node:crypto';
import type { MailboxSendMessage, MailboxSentMessage } from '../runtime/bus/schemas/kernel-messages.js';
import { topics } from '../runtime/bus/topics.js';
import type { ClientLink } from './link.js';
import { RequestError } from './request-matcher.js';

export interface MailMessage {
  messageId: string;
  from: string;
  tsMs?: number | undefined;
  subject?: string | undefined;
  body: unknown;
  expectsReply?: boolean | undefined;
  inReplyTo?: string | undefined;
}

/** the return value is the reply when the message is a request */
export type MailHandler = (msg: MailMessage) => unknown | Promise<unknown>;

const SEEN_MAX = 4096;
const ACK_BATCH_MAX = 100;

export class MailboxClient {
  private handler: MailHandler | null = null;
  private readonly seen = new Set<string>();
  private ackIds: string[] = [];
  private ackScheduled = false;

  constructor(private readonly link: ClientLink) {}

  private topic(): string {
    return topics.agent(this.link.agentId, 'mailboxSend');
  }

  /** Durable send to one agent; returns the message id. A refusal arrives as a 'mailboxError' event. */
  send(to: string, body: unknown, opts: { subject?: string } = {}): string {
    const messageId = randomUUID();
    const m: MailboxSendMessage = {
      messageId,
      to,
      body,
      ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    };
    return this.link.sendDurable(this.topic(), m, messageId);
  }

  /** Durable send to every agent with the capability (the sender excluded). */
  sendToCapability(capability: string, body: unknown, opts: { subject?: string } = {}): string {
    const messageId = randomUUID();
    const m: MailboxSendMessage = {
      messageId,
      capability,
      body,
      ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    };
    return this.link.sendDurable(this.topic(), m, messageId);
  }

  /** Sends a request and resolves with the reply message. */
  request(to: string, body: unknown, opts: { subject?: string; timeoutMs?: number } = {}): Promise<MailMessage> {
    const messageId = randomUUID();
    const timeoutMs = opts.timeoutMs ?? this.link.timeoutMs;
    const subject = opts.subject !== undefined ? ` subject=${opts.subject}` : '';
    const waiting = this.link.matcher.wait<MailMessage>(messageId, timeoutMs, `mailbox request to=${to}${subject}`);
    const m: MailboxSendMessage = {
      messageId,
      to,
      body,
      expectsReply: true,
      timeoutMs,
      ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    };
    this.link.send(this.topic(), m);
    return waiting;
  }

  /** One handler for incoming messages; registering it lets waiting messages be acknowledged. */
  onMessage(handler: MailHandler): void {
    this.handler = handler;
  }

  /** called by the client for each delivery on the mailbox topic */
  deliver(raw: unknown): void {
    const msg = raw as MailMessage;
    if (typeof msg?.messageId !== 'string' || typeof msg.from !== 'string') return;
    if (msg.inReplyTo !== undefined && this.link.matcher.resolve(msg.inReplyTo, msg)) {
      this.ack(msg.messageId);
      return;
    }
    if (this.seen.has(msg.messageId)) {
      this.ack(msg.messageId);
      return;
    }
    if (!this.handler) return; // stays in the gateway's queue until a handler exists
    this.remember(msg.messageId);
    void this.handle(this.handler, msg);
  }

  private async handle(handler: MailHandler, msg: MailMessage): Promise<void> {
    let result: unknown;
    let failed: Error | null = null;
    try {
      result = await handler(msg);
    } catch (err) {
      failed = err as Error;
      this.link.emit('error', err);
    }
    if (msg.expectsReply) {
      const reply: MailboxSendMessage = {
        messageId: randomUUID(),
        to: msg.from,
        inReplyTo: msg.messageId,
        body: failed ? { error: failed.message } : (result ?? null),
      };
      this.link.sendDurable(this.topic(), reply, reply.messageId);
    }
    this.ack(msg.messageId);
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_MAX) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private ack(id: string): void {
    this.ackIds.push(id);
    if (this.ackIds.length >= ACK_BATCH_MAX) this.flushAcks();
    else if (!this.ackScheduled) {
      this.ackScheduled = true;
      setImmediate(() => this.flushAcks());
    }
  }

  private flushAcks(): void {
    this.ackScheduled = false;
    if (this.ackIds.length === 0) return;
    const messageIds = this.ackIds;
    this.ackIds = [];
    this.link.send(topics.agent(this.link.agentId, 'mailboxAck'), { messageIds });
  }

  /** called by the client for each mailbox/sent outcome */
  sent(raw: unknown): void {
    const m = raw as MailboxSentMessage;
    if (typeof m?.messageId !== 'string' || m.ok) return;
    const err = new RequestError(
      m.error?.code ?? 'internal',
      `mailbox send ${m.messageId}: ${m.error?.message ?? 'refused'}`,
    );
    this.link.matcher.reject(m.messageId, err);
    this.link.emit('mailboxError', { messageId: m.messageId, error: err });
  }
}

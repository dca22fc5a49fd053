// Agent-to-agent messages: send by id, send to every agent with a capability, and request/reply with a timeout
// that names the request. Every accepted message goes into the recipient's persisted queue and stays there until the
// recipient acknowledges it, so a message to an offline agent is delivered when it comes back, and one in flight when
// the gateway dies is delivered again (recipients drop repeats by messageId).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MailboxError, type MailEnvelope } from './envelope.js';
import { journalPath, MailboxQueue, type QueueLimits } from './mailbox-queue.js';

export interface MailboxRouting {
  /** true when the id names an agent the gateway knows (registered or installed) */
  knows(agentId: string): boolean;
  isOnline(agentId: string): boolean;
  /** ids of known agents that have the capability */
  withCapability(capability: string): string[];
  /** hands a message to an online agent (publishes it on its mailbox topic); ack() confirms it */
  deliver(env: MailEnvelope): void;
}

export interface MailboxLimits extends QueueLimits {
  /** body serialized as JSON, bytes */
  bodyBytesMax: number;
  /** messages handed to an agent before it acknowledges some */
  deliverBatchMax: number;
  requestTimeoutMsMax: number;
  requestsPendingMax: number;
}

export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  queueLengthMax: 1000,
  queueBytesMax: 4 * 1024 * 1024,
  bodyBytesMax: 64 * 1024,
  deliverBatchMax: 100,
  requestTimeoutMsMax: 300000,
  requestsPendingMax: 1000,
};

export interface SendInput {
  from: string;
  to: string;
  subject?: string | undefined;
  body: unknown;
  /** the sender's own id for this message; resending the same id is accepted once */
  messageId?: string | undefined;
  expectsReply?: boolean | undefined;
  inReplyTo?: string | undefined;
  /** for requests: how long the requester waits, ms */
  timeoutMs?: number | undefined;
}

interface Pending {
  resolve: (env: MailEnvelope) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  from: string;
}

export class Mailboxes {
  private readonly queues = new Map<string, MailboxQueue>();
  private readonly inFlight = new Map<string, Set<string>>();
  private readonly pending = new Map<string, Pending>();
  private readonly dir: string;
  private readonly limits: MailboxLimits;
  private readonly routing: MailboxRouting;

  constructor(opts: { dataDir: string; routing: MailboxRouting; limits?: Partial<MailboxLimits> | undefined }) {
    this.dir = join(opts.dataDir, 'mailbox');
    this.routing = opts.routing;
    this.limits = { ...DEFAULT_MAILBOX_LIMITS, ...(opts.limits ?? {}) };
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Rejects waiting requests and clears their timers. Queues stay on disk. Idempotent. */
  async stop(): Promise<void> {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new MailboxError('unavailable', `request ${id} abandoned: mailbox stopping`));
    }
    this.pending.clear();
    this.inFlight.clear();
    for (const q of this.queues.values()) q.close();
    this.queues.clear();
  }

  private queue(agentId: string): MailboxQueue {
    let q = this.queues.get(agentId);
    if (!q) {
      q = new MailboxQueue(agentId, this.dir, this.limits).load();
      this.queues.set(agentId, q);
    }
    return q;
  }

  /**
   * The agent's queue if it has one: loaded, or a journal on disk. An agent nobody wrote to gets no queue (no empty
   * journal, no open file, no memory) when it says hello or acknowledges: most agents never use their mailbox.
   */
  private existing(agentId: string): MailboxQueue | undefined {
    if (this.queues.has(agentId) || existsSync(journalPath(this.dir, agentId))) return this.queue(agentId);
    return undefined;
  }

  waiting(agentId: string): number {
    return this.existing(agentId)?.length ?? 0;
  }

  /** Accepts a message into the recipient's mailbox and delivers it now if the recipient is online. */
  send(input: SendInput): MailEnvelope {
    const bodyBytes = Buffer.byteLength(JSON.stringify(input.body ?? null));
    if (bodyBytes > this.limits.bodyBytesMax) {
      throw new MailboxError('too_large', `body is ${bodyBytes} bytes; bodyBytesMax is ${this.limits.bodyBytesMax}`);
    }
    const env: MailEnvelope = {
      messageId: input.messageId ?? randomUUID(),
      from: input.from,
      to: input.to,
      tsMs: Date.now(),
      body: input.body ?? null,
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.expectsReply ? { expectsReply: true } : {}),
      ...(input.inReplyTo !== undefined ? { inReplyTo: input.inReplyTo } : {}),
      ...(input.expectsReply && input.timeoutMs !== undefined ? { expiresAtMs: Date.now() + input.timeoutMs } : {}),
    };
    // a reply to a request the gateway itself made never needs a queue
    const waiter = env.inReplyTo !== undefined ? this.pending.get(env.inReplyTo) : undefined;
    if (waiter && waiter.from === env.to) {
      this.pending.delete(env.inReplyTo!);
      clearTimeout(waiter.timer);
      waiter.resolve(env);
      return env;
    }
    if (!this.routing.knows(env.to))
      throw new MailboxError('not_found', `no agent ${JSON.stringify(env.to)} to send to`);
    const q = this.queue(env.to);
    if (q.has(env.messageId, env.from)) return env; // the sender's resend of a message already accepted
    q.push(env);
    if (this.routing.isOnline(env.to)) this.flush(env.to, q);
    return env;
  }

  /** Sends one copy to each known agent with the capability (the sender excluded), all with the same messageId. */
  sendToCapability(input: Omit<SendInput, 'to'> & { capability: string }) {
    const targets = this.routing.withCapability(input.capability).filter((id) => id !== input.from);
    if (targets.length === 0) throw new MailboxError('not_found', `no agent has capability ${input.capability}`);
    const messageId = input.messageId ?? randomUUID();
    const sent: { to: string; messageId: string }[] = [];
    const refused: { to: string; error: string }[] = [];
    for (const to of targets) {
      try {
        sent.push({ to, messageId: this.send({ ...input, messageId, to }).messageId });
      } catch (err) {
        refused.push({ to, error: (err as Error).message });
      }
    }
    return { sent, refused };
  }

  /** A request from the gateway (or an operator) to an agent; resolves with the agent's reply. */
  request(input: Omit<SendInput, 'expectsReply' | 'inReplyTo'> & { timeoutMs: number }): Promise<MailEnvelope> {
    if (input.timeoutMs <= 0 || input.timeoutMs > this.limits.requestTimeoutMsMax) {
      return Promise.reject(new MailboxError('bad_message', `timeoutMs must be 1..${this.limits.requestTimeoutMsMax}`));
    }
    if (this.pending.size >= this.limits.requestsPendingMax) {
      return Promise.reject(
        new MailboxError('limit_reached', `requestsPendingMax ${this.limits.requestsPendingMax} requests are waiting`),
      );
    }
    const messageId = input.messageId ?? randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        const subject = input.subject !== undefined ? ` subject=${input.subject}` : '';
        reject(
          new MailboxError(
            'timeout',
            `Timeout after ${input.timeoutMs} ms [request=${messageId} to=${input.to}${subject}]`,
          ),
        );
      }, input.timeoutMs);
      this.pending.set(messageId, { resolve, reject, timer, from: input.from });
      try {
        this.send({ ...input, messageId, expectsReply: true });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(messageId);
        reject(err);
      }
    });
  }

  /** The agent confirmed these messages; they leave its queue. More waiting ones are delivered. */
  ack(agentId: string, messageIds: readonly string[]): number {
    const q = this.existing(agentId);
    if (!q) return 0;
    const removed = q.ack(messageIds);
    const flying = this.inFlight.get(agentId);
    for (const id of messageIds) flying?.delete(id);
    if (this.routing.isOnline(agentId)) this.flush(agentId, q);
    return removed;
  }

  /** The agent is (back) online and subscribed: deliver what waits for it. */
  agentOnline(agentId: string): void {
    this.inFlight.delete(agentId);
    const q = this.existing(agentId);
    if (q) this.flush(agentId, q);
  }

  agentOffline(agentId: string): void {
    this.inFlight.delete(agentId);
  }

  private flush(agentId: string, q: MailboxQueue): void {
    let flying = this.inFlight.get(agentId);
    if (!flying) {
      flying = new Set();
      this.inFlight.set(agentId, flying);
    }
    const now = Date.now();
    const expired: string[] = [];
    for (const env of q.peek(this.limits.deliverBatchMax)) {
      if (env.expiresAtMs !== undefined && env.expiresAtMs < now) {
        expired.push(env.messageId);
        continue;
      }
      if (flying.has(env.messageId)) continue;
      flying.add(env.messageId);
      this.routing.deliver(env);
    }
    if (expired.length > 0) q.ack(expired);
  }
}

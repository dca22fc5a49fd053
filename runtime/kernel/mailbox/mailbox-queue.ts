// One agent's mailbox: a bounded FIFO of envelopes that stay until the agent acknowledges them, persisted as one JSON
// file replaced atomically on each change, so an accepted message survives a gateway crash. When full, new messages
// are refused (the sender gets `limit_reached`); accepted messages are never dropped.
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../atomic-file.js';
import { MailboxError, type MailEnvelope } from './envelope.js';

export interface QueueLimits {
  /** messages waiting per agent */
  queueLengthMax: number;
  /** serialized size of all waiting messages per agent, bytes */
  queueBytesMax: number;
}

export class MailboxQueue {
  private items: MailEnvelope[] = [];
  private bytes = 0;
  private readonly path: string;

  constructor(
    readonly agentId: string,
    dir: string,
    private readonly limits: QueueLimits,
  ) {
    this.path = join(dir, `${agentId}.json`);
  }

  load(): this {
    const raw = readJsonFile<{ messages?: MailEnvelope[] }>(this.path, { messages: [] });
    this.items = raw.messages ?? [];
    this.bytes = this.items.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  has(messageId: string, from: string): boolean {
    return this.items.some((m) => m.messageId === messageId && m.from === from);
  }

  /** Appends and persists; refuses when the queue is full. */
  push(env: MailEnvelope): void {
    const size = Buffer.byteLength(JSON.stringify(env));
    if (this.items.length >= this.limits.queueLengthMax) {
      throw new MailboxError(
        'limit_reached',
        `mailbox of agent ${this.agentId} is full (queueLengthMax ${this.limits.queueLengthMax})`,
      );
    }
    if (this.bytes + size > this.limits.queueBytesMax) {
      throw new MailboxError(
        'limit_reached',
        `mailbox of agent ${this.agentId} is full (queueBytesMax ${this.limits.queueBytesMax} bytes)`,
      );
    }
    this.items.push(env);
    this.bytes += size;
    this.save();
  }

  /** Removes acknowledged messages; returns how many were removed. */
  ack(messageIds: readonly string[]): number {
    const ids = new Set(messageIds);
    const before = this.items.length;
    this.items = this.items.filter((m) => !ids.has(m.messageId));
    const removed = before - this.items.length;
    if (removed > 0) {
      this.bytes = this.items.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0);
      this.save();
    }
    return removed;
  }

  /** waiting messages, oldest first */
  peek(countMax: number): MailEnvelope[] {
    return this.items.slice(0, countMax);
  }

  private save(): void {
    writeFileAtomic(this.path, JSON.stringify({ messages: this.items }));
  }
}

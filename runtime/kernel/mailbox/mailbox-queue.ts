// One agent's mailbox: a bounded FIFO of envelopes that stay until the agent acknowledges them, persisted as an
// append-only journal (<agentId>.jsonl: `{"add":envelope}` or `{"ack":[ids]}` per line). An add is written and
// fsynced before the sender is acknowledged, so an accepted message survives a gateway crash or a power cut; an ack
// is not fsynced (a lost ack means one more delivery, which recipients drop by messageId). A torn last line is cut at
// load; the journal is rewritten with the waiting messages only once it is mostly acknowledged records. When full,
// new messages are refused (the sender gets `limit_reached`); accepted messages are never dropped.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { replayJsonlJournal } from '../../util/jsonl-journal.js';
import { MailboxError, type MailEnvelope } from './envelope.js';

export interface QueueLimits {
  /** messages waiting per agent */
  queueLengthMax: number;
  /** serialized size of all waiting messages per agent, bytes */
  queueBytesMax: number;
}

/** the journal is compacted when it is larger than this and more than twice the waiting messages, bytes */
const COMPACT_BYTES_MIN = 64 * 1024;

type Line = { add: MailEnvelope } | { ack: string[] };

/** the journal of one agent's mailbox in the mailbox folder */
export function journalPath(dir: string, agentId: string): string {
  return join(dir, `${agentId}.jsonl`);
}

export class MailboxQueue {
  private items = new Map<string, { env: MailEnvelope; bytes: number }>();
  private bytes = 0;
  private journalBytes = 0;
  private fd: number | null = null;
  private readonly path: string;

  constructor(
    readonly agentId: string,
    private readonly dir: string,
    private readonly limits: QueueLimits,
  ) {
    this.path = journalPath(dir, agentId);
  }

  load(): this {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.journalBytes = replayJsonlJournal<Line>(this.path, (line) => {
      if ('add' in line) this.remember(line.add, Buffer.byteLength(JSON.stringify(line.add)));
      else for (const id of line.ack) this.forget(id);
    });
    this.fd = openSync(this.path, 'a', 0o600);
    return this;
  }

  private remember(env: MailEnvelope, bytes: number): void {
    this.items.set(env.messageId, { env, bytes });
    this.bytes += bytes;
  }

  private forget(id: string): boolean {
    const it = this.items.get(id);
    if (!it) return false;
    this.items.delete(id);
    this.bytes -= it.bytes;
    return true;
  }

  get length(): number {
    return this.items.size;
  }

  has(messageId: string, from: string): boolean {
    return this.items.get(messageId)?.env.from === from;
  }

  private append(line: Line, sync: boolean): void {
    if (this.fd === null) throw new Error(`mailbox of ${this.agentId} is not loaded`);
    const buf = Buffer.from(`${JSON.stringify(line)}\n`);
    writeSync(this.fd, buf);
    if (sync) fsyncSync(this.fd);
    this.journalBytes += buf.length;
  }

  /** Appends and persists (fsync); refuses when the queue is full. */
  push(env: MailEnvelope): void {
    const size = Buffer.byteLength(JSON.stringify(env));
    if (this.items.size >= this.limits.queueLengthMax) {
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
    if (this.items.has(env.messageId)) {
      throw new MailboxError(
        'bad_message',
        `messageId ${env.messageId} is already waiting in the mailbox of ${this.agentId}`,
      );
    }
    this.append({ add: env }, true);
    this.remember(env, size);
  }

  /** Removes acknowledged messages; returns how many were removed. */
  ack(messageIds: readonly string[]): number {
    const removed = messageIds.filter((id) => this.forget(id));
    if (removed.length === 0) return 0;
    this.append({ ack: removed }, false);
    if (this.journalBytes > COMPACT_BYTES_MIN && this.journalBytes > 2 * this.bytes) this.compact();
    return removed.length;
  }

  /** waiting messages, oldest first */
  peek(countMax: number): MailEnvelope[] {
    const out: MailEnvelope[] = [];
    for (const { env } of this.items.values()) {
      if (out.length >= countMax) break;
      out.push(env);
    }
    return out;
  }

  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const lines = [...this.items.values()].map(({ env }) => `${JSON.stringify({ add: env })}\n`).join('');
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, lines);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.close();
    this.fd = openSync(this.path, 'a', 0o600);
    this.journalBytes = Buffer.byteLength(lines);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

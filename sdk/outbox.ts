// The SDK's durable outbox: every QoS1 message is appended to a file before it is sent and stays there until the
// broker's PUBACK, so a crash of the device process, the broker or the gateway loses nothing: pending messages are
// resent after a reconnect or a restart, each with the same message id, and the gateway drops the repeats.
//
// File format: one JSON object per line, `{"a":"add","id","t","p","ts"}` or `{"a":"ack","id"}`. A torn last line
// (a crash mid-write) is ignored and cut off. The file is rewritten with only the pending messages once it grows past
// compactBytesMin and is mostly acknowledged records.
//
// Full policy: at messagesMax messages or bytesMax payload bytes pending, `onFull: 'reject'` (the default) throws
// OutboxFullError and keeps every accepted message; `onFull: 'drop-oldest'` drops the oldest pending message to make
// room, for data where the newest value matters most (telemetry), and counts the drops.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { replayJsonlJournal } from '../runtime/util/jsonl-journal.js';

export interface OutboxMessage {
  /** unique message id; the gateway's duplicate filter keys on it */
  id: string;
  topic: string;
  payload: string;
  /** Unix time, ms, when it entered the outbox */
  tsMs: number;
}

export interface OutboxOptions {
  dir: string;
  messagesMax?: number | undefined;
  /** sum of pending payloads, bytes */
  bytesMax?: number | undefined;
  onFull?: 'reject' | 'drop-oldest' | undefined;
  /**
   * 'batch' (default): adds are written at once and fsynced together by sync(), which the client calls before it
   * sends anything (group commit: one fsync per event-loop turn, power-loss safe for everything sent);
   * 'always': fsync inside each add(); 'never': no fsync (a process crash still loses nothing, a power cut may).
   */
  fsync?: 'batch' | 'always' | 'never' | undefined;
  /** rewrite the file once it is this large and mostly acknowledged, bytes */
  compactBytesMin?: number | undefined;
}

export class OutboxFullError extends Error {
  override name = 'OutboxFullError';
}

type Line = { a: 'add'; id: string; t: string; p: string; ts: number } | { a: 'ack'; id: string };

export class Outbox {
  private readonly pending = new Map<string, OutboxMessage>();
  private readonly path: string;
  private fd: number | null = null;
  private fileBytes = 0;
  private unsynced = false;
  private pendingBytes = 0;
  private seq = 0;
  private readonly prefix = randomBytes(6).toString('hex');
  /** messages dropped by the drop-oldest policy since open */
  dropped = 0;

  constructor(private readonly opts: OutboxOptions) {
    this.path = join(opts.dir, 'outbox.jsonl');
  }

  get size(): number {
    return this.pending.size;
  }

  /** Reads the file and returns the pending messages, oldest first. Idempotent. */
  open(): OutboxMessage[] {
    if (this.fd !== null) return this.list();
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    const good = replayJsonlJournal<Line>(this.path, (line) => {
      if (line.a === 'add') this.remember({ id: line.id, topic: line.t, payload: line.p, tsMs: line.ts });
      else this.forget(line.id);
    });
    this.fd = openSync(this.path, 'a', 0o600);
    this.fileBytes = good;
    this.compactIfWorthIt();
    return this.list();
  }

  private remember(m: OutboxMessage): void {
    this.pending.set(m.id, m);
    this.pendingBytes += Buffer.byteLength(m.payload);
  }

  private forget(id: string): boolean {
    const m = this.pending.get(id);
    if (!m) return false;
    this.pending.delete(id);
    this.pendingBytes -= Buffer.byteLength(m.payload);
    return true;
  }

  private write(line: Line, sync: boolean): void {
    if (this.fd === null) throw new Error('outbox is not open');
    const buf = Buffer.from(`${JSON.stringify(line)}\n`);
    writeSync(this.fd, buf);
    if (sync) fsyncSync(this.fd);
    else this.unsynced = true;
    this.fileBytes += buf.length;
  }

  /** Makes every add so far durable (one fsync for all of them); cheap when there is nothing new. */
  sync(): void {
    if (!this.unsynced || this.fd === null) return;
    this.unsynced = false;
    if ((this.opts.fsync ?? 'batch') !== 'never') fsyncSync(this.fd);
  }

  /** a fresh message id: random per open, then a counter */
  nextId(): string {
    this.seq++;
    return `${this.prefix}-${this.seq.toString(36)}`;
  }

  /** Persists a message; it is pending until ack(). Applies the full policy. */
  add(topic: string, payload: string, id: string = this.nextId()): OutboxMessage {
    const messagesMax = this.opts.messagesMax ?? 10000;
    const bytesMax = this.opts.bytesMax ?? 16 * 1024 * 1024;
    const bytes = Buffer.byteLength(payload);
    if (bytes > bytesMax)
      throw new OutboxFullError(`message of ${bytes} bytes is larger than the outbox (bytesMax ${bytesMax})`);
    while (this.pending.size >= messagesMax || this.pendingBytes + bytes > bytesMax) {
      if ((this.opts.onFull ?? 'reject') === 'reject') {
        throw new OutboxFullError(
          `outbox full: ${this.pending.size} messages, ${this.pendingBytes} bytes pending (messagesMax ${messagesMax}, bytesMax ${bytesMax})`,
        );
      }
      const oldest = this.pending.keys().next().value as string;
      this.ack(oldest);
      this.dropped++;
    }
    const m: OutboxMessage = { id, topic, payload, tsMs: Date.now() };
    this.write({ a: 'add', id, t: topic, p: payload, ts: m.tsMs }, this.opts.fsync === 'always');
    this.remember(m);
    return m;
  }

  /** The broker acknowledged the message: it leaves the outbox. */
  ack(id: string): void {
    if (!this.forget(id)) return;
    this.write({ a: 'ack', id }, false);
    this.compactIfWorthIt();
  }

  list(): OutboxMessage[] {
    return [...this.pending.values()];
  }

  /** pending messages, oldest first, without copying */
  values(): IterableIterator<OutboxMessage> {
    return this.pending.values();
  }

  private compactIfWorthIt(): void {
    const min = this.opts.compactBytesMin ?? 1024 * 1024;
    if (this.fileBytes < min || this.pendingBytes * 4 > this.fileBytes) return;
    const tmp = `${this.path}.tmp`;
    const lines = this.list().map((m) => JSON.stringify({ a: 'add', id: m.id, t: m.topic, p: m.payload, ts: m.tsMs }));
    const body = Buffer.from(lines.length ? `${lines.join('\n')}\n` : '');
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.path, 'a', 0o600);
    this.fileBytes = statSync(this.path).size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

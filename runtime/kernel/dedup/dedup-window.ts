// The gateway's duplicate filter for QoS1 messages that carry a message id (the SDK's durable outbox resends a
// message until its PUBACK, so after a crash the gateway can see one twice). A bounded window of the most recent
// (agentId, msgId) pairs, journaled to an append-only file before the message is accepted, so a gateway killed
// with -9 still knows, after its restart, what it had already taken in. The window (windowMax ids over all agents)
// must be larger than what the gateway ingests between a message and its resend; the default covers 64Ki messages.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DedupOptions {
  /** journal file, e.g. <dataDir>/kernel/dedup.jsonl */
  path: string;
  /** ids remembered over all agents */
  windowMax?: number | undefined;
  /** fsync each journal line (power-loss safe, slower); a process crash loses nothing either way */
  fsync?: boolean | undefined;
}

export class DedupWindow {
  private readonly ids = new Set<string>();
  private fd: number | null = null;
  private journalLines = 0;
  /** duplicates dropped since start */
  dropped = 0;

  constructor(private readonly opts: DedupOptions) {}

  private get windowMax(): number {
    return this.opts.windowMax ?? 65536;
  }

  async start(): Promise<void> {
    if (this.fd !== null) return;
    mkdirSync(dirname(this.opts.path), { recursive: true });
    let text = '';
    try {
      text = readFileSync(this.opts.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const lines = text.split('\n');
    // the last element is '' or a torn line; neither was acknowledged, so neither counts
    lines.pop();
    for (const l of lines) this.remember(l);
    this.fd = openSync(this.opts.path, 'a', 0o600);
    this.journalLines = lines.length;
    if (text.length > 0 && !text.endsWith('\n')) this.rewrite();
  }

  async stop(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private remember(key: string): void {
    this.ids.delete(key);
    this.ids.add(key);
    if (this.ids.size > this.windowMax) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  /** true the first time a pair is seen (and journals it); false for a duplicate */
  accept(agentId: string, msgId: string): boolean {
    if (this.has(agentId, msgId)) {
      this.dropped++;
      return false;
    }
    this.record(agentId, msgId);
    return true;
  }

  has(agentId: string, msgId: string): boolean {
    return this.ids.has(`${agentId} ${msgId}`);
  }

  /** Journals a pair; for callers that must store the message before remembering its id (mailbox sends). */
  record(agentId: string, msgId: string): void {
    const key = `${agentId} ${msgId}`;
    if (this.fd === null) throw new Error('DedupWindow is not started');
    writeSync(this.fd, `${key}\n`);
    if (this.opts.fsync) fsyncSync(this.fd);
    this.journalLines++;
    this.remember(key);
    if (this.journalLines > 2 * this.windowMax) this.rewrite();
  }

  private rewrite(): void {
    const tmp = `${this.opts.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const keys = [...this.ids];
      if (keys.length) writeSync(fd, `${keys.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.opts.path);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.opts.path, 'a', 0o600);
    this.journalLines = this.ids.size;
  }
}

// Gateway-side OTA queue: updates many devices with at most `concurrencyMax` transfers at a time, retries a failed
// transfer (which resumes on the device) after `retryDelayMs`, and reports per-device progress.
import type { OtaOptions, OtaProgress, OtaResult } from './ota-sender.js';

export type OtaUpdateFn = (agentId: string, image: Uint8Array, options: OtaOptions) => Promise<OtaResult>;

export interface OtaQueueOptions {
  update: OtaUpdateFn;
  /** transfers at once (default 2) */
  concurrencyMax?: number | undefined;
  /** jobs waiting (default 256) */
  queueLengthMax?: number | undefined;
  /** attempts per job, the first included (default 5) */
  attemptsMax?: number | undefined;
  /** ms between attempts (default 1000) */
  retryDelayMs?: number | undefined;
  onProgress?: ((p: OtaProgress & { attempt: number }) => void) | undefined;
}

export interface OtaJob {
  agentId: string;
  image: Uint8Array;
  version?: string | undefined;
}

interface Entry {
  job: OtaJob;
  resolve(r: OtaResult): void;
  reject(e: Error): void;
}

export class OtaQueue {
  private readonly waiting: Entry[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly o: {
    update: OtaUpdateFn;
    concurrencyMax: number;
    queueLengthMax: number;
    attemptsMax: number;
    retryDelayMs: number;
    onProgress: OtaQueueOptions['onProgress'];
  };
  private stopped = false;
  readonly counts = { done: 0, failed: 0, attempts: 0 };

  constructor(options: OtaQueueOptions) {
    const pos = (name: string, v: number | undefined, def: number) => {
      const x = v ?? def;
      if (!Number.isInteger(x) || x < 1)
        throw new TypeError(`ota queue: ${name} must be a positive integer, got ${String(v)}`);
      return x;
    };
    this.o = {
      update: options.update,
      concurrencyMax: pos('concurrencyMax', options.concurrencyMax, 2),
      queueLengthMax: pos('queueLengthMax', options.queueLengthMax, 256),
      attemptsMax: pos('attemptsMax', options.attemptsMax, 5),
      retryDelayMs: options.retryDelayMs ?? 1000,
      onProgress: options.onProgress,
    };
  }

  get runningCount(): number {
    return this.running.size;
  }
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Resolves when the device verified the image; rejects after the last attempt or when the queue is full. */
  enqueue(job: OtaJob): Promise<OtaResult> {
    if (this.stopped) return Promise.reject(new Error(`ota queue stopped [agent=${job.agentId}]`));
    if (this.running.has(job.agentId) || this.waiting.some((e) => e.job.agentId === job.agentId)) {
      return Promise.reject(new Error(`ota already queued for agent ${job.agentId}`));
    }
    if (this.waiting.length >= this.o.queueLengthMax) {
      return Promise.reject(
        new Error(`ota queue full (queueLengthMax=${this.o.queueLengthMax}) [agent=${job.agentId}]`),
      );
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Rejects waiting jobs, aborts running transfers and clears retry timers. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const e of this.waiting.splice(0)) e.reject(new Error(`ota queue stopped [agent=${e.job.agentId}]`));
    for (const c of this.running.values()) c.abort(new Error('ota queue stopped'));
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.o.concurrencyMax && this.waiting.length > 0) {
      const e = this.waiting.shift()!;
      const ctl = new AbortController();
      this.running.set(e.job.agentId, ctl);
      void this.run(e, ctl).finally(() => {
        this.running.delete(e.job.agentId);
        this.pump();
      });
    }
  }

  private async run(e: Entry, ctl: AbortController): Promise<void> {
    let last: Error = new Error('no attempt made');
    for (let attempt = 1; attempt <= this.o.attemptsMax && !ctl.signal.aborted; attempt++) {
      this.counts.attempts++;
      try {
        const r = await this.o.update(e.job.agentId, e.job.image, {
          version: e.job.version,
          signal: ctl.signal,
          onProgress: (p) => this.o.onProgress?.({ ...p, attempt }),
        });
        this.counts.done++;
        e.resolve(r);
        return;
      } catch (err) {
        last = err as Error;
        if (attempt < this.o.attemptsMax) await this.delay(ctl.signal);
      }
    }
    this.counts.failed++;
    e.reject(new Error(`ota for ${e.job.agentId} failed after ${this.o.attemptsMax} attempts: ${last.message}`));
  }

  private delay(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.o.retryDelayMs);
      this.timers.add(timer);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

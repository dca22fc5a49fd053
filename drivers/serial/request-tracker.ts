// Matches responses to requests by seq, retransmits unanswered requests with the same seq and the RETRANSMIT flag,
// and fails a request with an error that names it [PROTOCOL.md §6]. One tracker per open link.
import { Flag, type Frame, type FrameInput } from '../../firmware-bridge/ts/index.js';

export interface RequestOptions {
  /** ms per attempt before a retransmission */
  ackTimeoutMs: number;
  /** retransmissions after the first attempt */
  retriesMax: number;
  /** ms for the whole request, all attempts included */
  timeoutMs: number;
  /** extra fields for the timeout error, e.g. { agent: 'x', request: 'r-1' } */
  label: Record<string, string>;
}

interface Pending {
  frame: FrameInput;
  resolve(f: Frame): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout | undefined;
  deadline: NodeJS.Timeout | undefined;
}

export class RequestTimeoutError extends Error {
  constructor(
    message: string,
    readonly seq: number,
  ) {
    super(message);
    this.name = 'RequestTimeoutError';
  }
}

export class RequestTracker {
  private readonly pending = new Map<number, Pending>();
  private nextSeq: number;
  /** retransmissions sent, for diagnostics and tests */
  retransmissions = 0;

  constructor(
    private readonly send: (frame: FrameInput) => void,
    private readonly pendingMax = 64,
    firstSeq = 1,
  ) {
    this.nextSeq = firstSeq & 0xffff;
  }

  /** Allocates a seq, sends the frame and resolves with the response frame carrying that seq. */
  request(type: number, payload: Buffer, opts: RequestOptions): Promise<Frame> {
    if (this.pending.size >= this.pendingMax) {
      return Promise.reject(
        new Error(`too many requests in flight (pendingMax=${this.pendingMax}) ${fmt(opts.label)}`),
      );
    }
    const seq = this.allocSeq();
    const frame: FrameInput = { type, flags: Flag.ACK_REQUESTED, seq, payload };
    return new Promise<Frame>((resolve, reject) => {
      const p: Pending = { frame, resolve, reject, timer: undefined, deadline: undefined };
      this.pending.set(seq, p);
      const attempts = opts.retriesMax + 1;
      const waitedMs = Math.min(opts.timeoutMs, opts.ackTimeoutMs * attempts);
      const fail = () =>
        this.settle(
          seq,
          new RequestTimeoutError(`Timeout after ${waitedMs} ms [${fmt({ ...opts.label, seq: String(seq) })}]`, seq),
        );
      let sent = 0;
      const attempt = () => {
        if (sent >= attempts) return fail();
        if (sent > 0) {
          this.retransmissions++;
          frame.flags = Flag.ACK_REQUESTED | Flag.RETRANSMIT;
        }
        sent++;
        try {
          this.send(frame);
        } catch (err) {
          this.settle(seq, err as Error); // e.g. a payload over the negotiated limit: no retry can help
          return;
        }
        p.timer = setTimeout(attempt, opts.ackTimeoutMs);
      };
      p.deadline = setTimeout(fail, opts.timeoutMs);
      attempt();
    });
  }

  /** Routes an incoming RESPONSE frame; returns false when nobody waits for its seq (a late duplicate). */
  handleResponse(frame: Frame): boolean {
    const p = this.pending.get(frame.seq);
    if (!p) return false;
    this.clear(frame.seq, p);
    p.resolve(frame);
    return true;
  }

  /** Fails every pending request, e.g. when the link is lost. */
  failAll(reason: string): void {
    for (const [seq, p] of this.pending) {
      this.clear(seq, p);
      p.reject(new Error(`${reason} [seq=${seq}]`));
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private settle(seq: number, err: Error): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.clear(seq, p);
    p.reject(err);
  }

  private clear(seq: number, p: Pending): void {
    clearTimeout(p.timer);
    clearTimeout(p.deadline);
    this.pending.delete(seq);
  }

  private allocSeq(): number {
    for (let i = 0; i < 0x10000; i++) {
      const seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) & 0xffff;
      if (!this.pending.has(seq)) return seq;
    }
    throw new Error('no free sequence number'); // unreachable with pendingMax < 65536
  }
}

function fmt(label: Record<string, string>): string {
  return Object.entries(label)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

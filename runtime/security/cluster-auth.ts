// Authenticated cluster messages. Every message between gateways is sealed with HMAC-SHA256 under the site key over
// all of its fields (cluster id, sender, recipient, term, counter, timestamp, body), so a client of any broker who
// lacks the key cannot forge a vote or an entry, and a sealed message cannot be moved to another cluster, sender or
// recipient. Replays are refused by a per-sender sliding window over the counter (like IPsec's), and messages older
// than `windowMs` by their timestamp, which also covers a receiver that restarted and lost its windows.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ClusterAuthOptions {
  clusterId: string;
  /** this gateway's id, the `from` of what it seals */
  nodeId: string;
  /** the site key, at least 32 bytes (see cluster-key.ts) */
  siteKey: Buffer;
  /** accepted age and clock skew of a message, ms */
  windowMs?: number | undefined;
  /** how far behind the highest counter seen a late message may still be accepted once */
  reorderWindow?: number | undefined;
  /** senders tracked at once; beyond this the least recently heard is forgotten (its old messages then fail on age) */
  sendersMax?: number | undefined;
  /** largest sealed message accepted, bytes */
  messageBytesMax?: number | undefined;
  now?: (() => number) | undefined;
}

export interface SealedFields {
  /** recipient node id, or '*' for a broadcast */
  to: string;
  term: number;
  body: Buffer;
}

export interface OpenedMessage extends SealedFields {
  from: string;
  seq: number;
  ts: number;
}

export type OpenResult = { ok: true; message: OpenedMessage } | { ok: false; reason: string };

/** The seam the Raft MQTT transport plugs in: seal what it sends, open what it receives. */
export interface ClusterMessageAuth {
  seal(fields: SealedFields): Buffer;
  open(wire: Buffer): OpenResult;
}

interface Wire {
  v: 1;
  c: string;
  f: string;
  t: string;
  term: number;
  n: number;
  ts: number;
  b: string;
  m: string;
}

export const SITE_KEY_BYTES_MIN = 32;

type Resolved = { [K in keyof ClusterAuthOptions]-?: Exclude<ClusterAuthOptions[K], undefined> };

export class ClusterAuth implements ClusterMessageAuth {
  readonly stats = { sealed: 0, opened: 0, rejected: 0 };
  private readonly opts: Resolved;
  private lastSeq = 0;
  /** sender -> highest counter seen and a bitmap of the `reorderWindow` counters below it */
  private readonly windows = new Map<string, { high: number; seen: bigint }>();

  constructor(opts: ClusterAuthOptions) {
    if (!Buffer.isBuffer(opts.siteKey) || opts.siteKey.length < SITE_KEY_BYTES_MIN) {
      throw new RangeError(`siteKey: must be at least ${SITE_KEY_BYTES_MIN} bytes`);
    }
    this.opts = {
      clusterId: opts.clusterId,
      nodeId: opts.nodeId,
      siteKey: opts.siteKey,
      windowMs: opts.windowMs ?? 30_000,
      reorderWindow: opts.reorderWindow ?? 64,
      sendersMax: opts.sendersMax ?? 256,
      messageBytesMax: opts.messageBytesMax ?? 4 * 1024 * 1024,
      now: opts.now ?? Date.now,
    };
    if (this.opts.reorderWindow < 1 || this.opts.reorderWindow > 1024) {
      throw new RangeError('reorderWindow: must be 1..1024');
    }
  }

  seal(fields: SealedFields): Buffer {
    if (!Number.isSafeInteger(fields.term) || fields.term < 0) throw new RangeError('term: must be an integer >= 0');
    const ts = this.opts.now();
    // microseconds since the epoch, strictly increasing: survives restarts without stored state while the clock
    // does not go back by more than the time since the last message
    this.lastSeq = Math.max(this.lastSeq + 1, ts * 1000);
    const w: Omit<Wire, 'm'> = {
      v: 1,
      c: this.opts.clusterId,
      f: this.opts.nodeId,
      t: fields.to,
      term: fields.term,
      n: this.lastSeq,
      ts,
      b: fields.body.toString('base64'),
    };
    this.stats.sealed++;
    return Buffer.from(JSON.stringify({ ...w, m: this.mac(w).toString('base64') }));
  }

  open(wire: Buffer): OpenResult {
    const r = this.check(wire);
    if (r.ok) this.stats.opened++;
    else this.stats.rejected++;
    return r;
  }

  private check(wire: Buffer): OpenResult {
    if (!Buffer.isBuffer(wire) || wire.length > this.opts.messageBytesMax) return { ok: false, reason: 'size' };
    let w: Wire;
    try {
      w = JSON.parse(wire.toString('utf8')) as Wire;
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
    const shape = shapeProblem(w);
    if (shape) return { ok: false, reason: shape };
    const expected = this.mac(w);
    const given = Buffer.from(w.m, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad mac' };
    // only authenticated fields are interpreted from here on
    if (w.c !== this.opts.clusterId) return { ok: false, reason: 'other cluster' };
    if (w.t !== '*' && w.t !== this.opts.nodeId) return { ok: false, reason: 'not addressed to us' };
    if (w.f === this.opts.nodeId) return { ok: false, reason: 'own message reflected' };
    if (Math.abs(this.opts.now() - w.ts) > this.opts.windowMs) return { ok: false, reason: 'outside time window' };
    if (!this.accept(w.f, w.n)) return { ok: false, reason: 'replay' };
    return {
      ok: true,
      message: { from: w.f, to: w.t, term: w.term, seq: w.n, ts: w.ts, body: Buffer.from(w.b, 'base64') },
    };
  }

  /** Sliding-window replay check; records `seq` as seen when accepted. */
  private accept(from: string, seq: number): boolean {
    const size = this.opts.reorderWindow;
    const win = this.windows.get(from);
    if (!win) {
      if (this.windows.size >= this.opts.sendersMax) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      this.windows.set(from, { high: seq, seen: 1n });
      return true;
    }
    // keep recently heard senders last, so eviction drops the quiet ones
    this.windows.delete(from);
    this.windows.set(from, win);
    if (seq > win.high) {
      const shift = seq - win.high;
      win.seen = shift >= size ? 1n : ((win.seen << BigInt(shift)) | 1n) & ((1n << BigInt(size)) - 1n);
      win.high = seq;
      return true;
    }
    const back = win.high - seq;
    if (back >= size) return false; // older than the window can tell apart
    const bit = 1n << BigInt(back);
    if (win.seen & bit) return false;
    win.seen |= bit;
    return true;
  }

  private mac(w: Omit<Wire, 'm'>): Buffer {
    // length-prefixed fields: no two different messages serialize to the same bytes
    const h = createHmac('sha256', this.opts.siteKey);
    for (const part of ['agentos-cluster-v1', w.c, w.f, w.t, String(w.term), String(w.n), String(w.ts), w.b]) {
      const b = Buffer.from(part, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      h.update(len).update(b);
    }
    return h.digest();
  }
}

function shapeProblem(w: unknown): string | null {
  if (typeof w !== 'object' || w === null) return 'not an object';
  const x = w as Record<string, unknown>;
  if (x.v !== 1) return 'version';
  for (const k of ['c', 'f', 't', 'b', 'm'] as const) {
    if (typeof x[k] !== 'string' || (x[k] as string).length > 8 * 1024 * 1024) return `field ${k}`;
  }
  for (const k of ['term', 'n', 'ts'] as const) {
    if (!Number.isSafeInteger(x[k]) || (x[k] as number) < 0) return `field ${k}`;
  }
  return null;
}

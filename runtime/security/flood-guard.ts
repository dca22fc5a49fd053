// Limits that keep one client from starving the others: connections (total and per IP), message rate per client
// (a token bucket: a client over its rate is held back, which through TCP flow control slows its sender; one that
// keeps pushing until it would wait longer than `throttleMsMax` is disconnected) and outgoing buffer per client
// (a subscriber that does not read is disconnected instead of growing the gateway's memory).
import { TokenBucket } from './token-bucket.js';

export interface FloodLimits {
  /** sustained messages per second per client */
  messagesPerS: number;
  /** messages a client may send at once before the rate applies */
  burstMessages: number;
  /** a client whose debt would hold it back longer than this is disconnected */
  throttleMsMax: number;
  connectionsMax: number;
  connectionsPerIpMax: number;
  /** bytes queued towards one client's socket before it counts as not reading */
  outgoingBytesMax: number;
  /** largest MQTT packet accepted, bytes (checked on the wire before the packet is buffered) */
  packetBytesMax: number;
  /** failed logins from one IP per minute before logins needing scrypt are refused from it for the rest of the minute */
  authFailuresPerMinMax: number;
}

export const FLOOD_DEFAULTS: FloodLimits = {
  messagesPerS: 200,
  burstMessages: 400,
  throttleMsMax: 2000,
  connectionsMax: 2000,
  connectionsPerIpMax: 200,
  outgoingBytesMax: 4 * 1024 * 1024,
  packetBytesMax: 320 * 1024,
  authFailuresPerMinMax: 20,
};

export type PublishVerdict =
  | { kind: 'pass' }
  | { kind: 'delay'; delayMs: number }
  | { kind: 'disconnect'; reason: string };

const PASS: PublishVerdict = { kind: 'pass' };

export class FloodGuard {
  readonly limits: FloodLimits;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly perIp = new Map<string, number>();
  private connections = 0;
  private readonly authFailures = new Map<string, { windowStartMs: number; count: number }>();
  private readonly now: () => number;
  /** counters for metrics and tests */
  readonly stats = {
    throttled: 0,
    disconnected: 0,
    connectionsRefused: 0,
    slowConsumers: 0,
    oversized: 0,
    authLimited: 0,
  };

  constructor(limits: Partial<FloodLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...FLOOD_DEFAULTS, ...limits };
    for (const [k, v] of Object.entries(this.limits)) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
        throw new RangeError(`flood limits: ${k} must be a positive number, got ${String(v)}`);
      }
    }
    this.now = now;
  }

  /** Counts a new connection from `ip`; false means refuse it. Pair every true with one `release(ip)`. */
  admit(ip: string): boolean {
    const n = this.perIp.get(ip) ?? 0;
    if (this.connections >= this.limits.connectionsMax || n >= this.limits.connectionsPerIpMax) {
      this.stats.connectionsRefused++;
      return false;
    }
    this.connections++;
    this.perIp.set(ip, n + 1);
    return true;
  }

  release(ip: string): void {
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 0) return;
    this.connections--;
    if (n === 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
  }

  get connectionCount(): number {
    return this.connections;
  }

  /** Accounts one inbound PUBLISH of `clientKey` (one bucket per connected client). */
  onPublish(clientKey: string): PublishVerdict {
    let b = this.buckets.get(clientKey);
    if (!b) {
      // buckets of clients cut off for flooding are kept (a reconnect must not get a fresh burst); bound the map
      if (this.buckets.size >= 2 * this.limits.connectionsMax) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = new TokenBucket(this.limits.messagesPerS, this.limits.burstMessages, this.now);
      this.buckets.set(clientKey, b);
    }
    const waitMs = b.take();
    if (waitMs === 0) return PASS;
    if (waitMs > this.limits.throttleMsMax) {
      this.stats.disconnected++;
      return { kind: 'disconnect', reason: `over ${this.limits.messagesPerS} msg/s for too long` };
    }
    this.stats.throttled++;
    return { kind: 'delay', delayMs: Math.ceil(waitMs) };
  }

  /** True when a client with `queuedBytes` waiting on its socket should be cut off. */
  slowConsumer(queuedBytes: number): boolean {
    if (queuedBytes <= this.limits.outgoingBytesMax) return false;
    this.stats.slowConsumers++;
    return true;
  }

  /**
   * Whether a login from `ip` may cost scrypt. After `authFailuresPerMinMax` failures in a minute only cheap checks
   * remain (a secret that verified before, a supervised agent's token), so guessing cannot burn the gateway's CPU
   * while known clients still reconnect.
   */
  authExpensiveAllowed(ip: string): boolean {
    const f = this.authFailures.get(ip);
    if (!f || this.now() - f.windowStartMs >= 60_000) return true;
    if (f.count < this.limits.authFailuresPerMinMax) return true;
    this.stats.authLimited++;
    return false;
  }

  authFailed(ip: string): void {
    const now = this.now();
    const f = this.authFailures.get(ip);
    if (f && now - f.windowStartMs < 60_000) {
      f.count++;
      return;
    }
    if (this.authFailures.size >= this.limits.connectionsMax) {
      const oldest = this.authFailures.keys().next().value;
      if (oldest !== undefined) this.authFailures.delete(oldest);
    }
    this.authFailures.delete(ip);
    this.authFailures.set(ip, { windowStartMs: now, count: 1 });
  }

  /** Forgets the bucket of a client that left in good standing. */
  forget(clientKey: string): void {
    this.buckets.delete(clientKey);
  }
}

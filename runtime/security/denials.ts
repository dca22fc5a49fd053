// Counts every access denial and logs them without letting a hostile client flood the log: at most
// `logsPerWindowMax` lines per principal per window, then one line saying how many were suppressed.

export interface SecurityLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: SecurityLogger = { info() {}, warn() {}, error() {} };

export type DenialAction = 'connect' | 'publish' | 'subscribe' | 'flood' | 'cluster';

export interface DenialOptions {
  logger: SecurityLogger;
  logsPerWindowMax?: number | undefined;
  windowMs?: number | undefined;
  /** distinct principals tracked for log limiting; the oldest is forgotten beyond this */
  trackedMax?: number | undefined;
  now?: (() => number) | undefined;
}

export class Denials {
  private readonly counts = new Map<string, number>();
  private readonly perPrincipal = new Map<string, { windowStartMs: number; logged: number; suppressed: number }>();
  private readonly logger: SecurityLogger;
  private readonly logsPerWindowMax: number;
  private readonly windowMs: number;
  private readonly trackedMax: number;
  private readonly now: () => number;
  total = 0;

  constructor(opts: DenialOptions) {
    this.logger = opts.logger;
    this.logsPerWindowMax = opts.logsPerWindowMax ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.trackedMax = opts.trackedMax ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  record(action: DenialAction, who: string, reason: string, detail: Record<string, unknown> = {}): void {
    this.total++;
    const key = `${action}:${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const now = this.now();
    let s = this.perPrincipal.get(who);
    if (!s || now - s.windowStartMs >= this.windowMs) {
      if (s && s.suppressed > 0) {
        this.logger.warn({ who, suppressed: s.suppressed }, 'security: further denials were not logged');
      }
      if (!s && this.perPrincipal.size >= this.trackedMax) {
        const oldest = this.perPrincipal.keys().next().value;
        if (oldest !== undefined) this.perPrincipal.delete(oldest);
      }
      s = { windowStartMs: now, logged: 0, suppressed: 0 };
      this.perPrincipal.set(who, s);
    }
    if (s.logged < this.logsPerWindowMax) {
      s.logged++;
      this.logger.warn({ action, who, reason, ...detail }, `security: ${action} denied`);
    } else {
      s.suppressed++;
    }
  }

  /** counts by `action:reason`, plus `total` */
  snapshot(): Record<string, number> {
    return { total: this.total, ...Object.fromEntries(this.counts) };
  }

  count(action: DenialAction, reason?: string): number {
    let n = 0;
    for (const [k, v] of this.counts) {
      if (reason === undefined ? k.startsWith(`${action}:`) : k === `${action}:${reason}`) n += v;
    }
    return n;
  }
}

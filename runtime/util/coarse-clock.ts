// A wall clock for per-message timestamps (an agent's lastSeenMs, accounting's last-seen), read once per
// resolutionMs instead of once per call. Why: on this kind of VM Date.now() costs about 0.1 us (no fast clock
// source), and the telemetry path read it three times per message, a tenth of the gateway's own cost per message.
// The cached value is dropped by a one-shot timer armed on the first read after it expired, so an idle gateway has
// no timer running; a value is at most resolutionMs (plus any event-loop delay) old. Outside start()..stop() every
// read is a plain Date.now().

const RESOLUTION_MS_DEFAULT = 5;

export class CoarseClock {
  readonly #resolutionMs: number;
  #running = false;
  /** the cached reading; undefined when none (a tagged field: reads hand out the one boxed number, no copy per read) */
  #cachedMs: number | undefined = undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(resolutionMs: number = RESOLUTION_MS_DEFAULT) {
    if (!(resolutionMs > 0)) throw new TypeError(`resolutionMs must be > 0, got ${resolutionMs}`);
    this.#resolutionMs = resolutionMs;
  }

  /** ms since the epoch, at most resolutionMs stale; bound, so it can be passed as `now` */
  readonly now = (): number => {
    const cached = this.#cachedMs;
    if (cached !== undefined) return cached;
    const nowMs = Date.now();
    if (this.#running) {
      this.#cachedMs = nowMs;
      this.#timer = setTimeout(this.#expire, this.#resolutionMs);
      this.#timer.unref();
    }
    return nowMs;
  };

  readonly #expire = (): void => {
    this.#cachedMs = undefined;
    this.#timer = undefined;
  };

  async start(): Promise<void> {
    this.#running = true;
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#expire();
  }
}

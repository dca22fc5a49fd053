// One matcher for every SDK call that waits for an answer (storage calls, mailbox requests): a bounded table of
// pending requests, each with a timeout whose error names the request ("Timeout after 5000 ms [storage kv.get
// requestId=... key=mode]").

export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
}

export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class RequestMatcher {
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly pendingMax: number) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Registers a request; `describe` names it in a timeout error. */
  wait<T>(requestId: string, timeoutMs: number, describe: string): Promise<T> {
    if (this.waiting.size >= this.pendingMax) {
      return Promise.reject(
        new RequestError('limit_reached', `${this.pendingMax} requests already waiting [${describe}]`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new RequestTimeoutError(`Timeout after ${timeoutMs} ms [${describe} requestId=${requestId}]`));
      }, timeoutMs);
      this.waiting.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer });
    });
  }

  /** true when a waiter took the answer */
  resolve(requestId: string, value: unknown): boolean {
    const w = this.waiting.get(requestId);
    if (!w) return false;
    this.waiting.delete(requestId);
    clearTimeout(w.timer);
    w.resolve(value);
    return true;
  }

  reject(requestId: string, err: Error): boolean {
    const w = this.waiting.get(requestId);
    if (!w) return false;
    this.waiting.delete(requestId);
    clearTimeout(w.timer);
    w.reject(err);
    return true;
  }

  rejectAll(err: Error): void {
    for (const [id] of this.waiting) this.reject(id, err);
  }
}

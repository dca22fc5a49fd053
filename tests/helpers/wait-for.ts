import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` (sync or async) until it returns a truthy value, which is returned. A condition that throws is
 * retried (the peer may not be up yet); after timeoutMs this throws "Timeout after N ms waiting for WHAT" with the last
 * error the condition threw, if any. Use generous timeouts: this is a wait, not a speed assertion.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`Timeout after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

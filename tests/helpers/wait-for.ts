// Polls a probe until it returns a truthy value and resolves with that value; a probe that throws fails at once.
// The timeout error names what was awaited. Tests use this instead of sleeps.
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

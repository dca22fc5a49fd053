// Shared fixtures for kernel tests: temp dirs, agent folders written on the fly, a wait-for-condition helper and a
// quiet logger.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverLogger } from '../../drivers/driver.js';

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `agentos-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an agent folder with agent.json and main.mjs. */
export function writeAgent(root: string, manifest: Record<string, unknown>, code: string): string {
  const dir = join(root, 'agents', String(manifest['name']));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'agent.json'), JSON.stringify({ entry: 'main.mjs', ...manifest }, null, 2));
  writeFileSync(join(dir, 'main.mjs'), code);
  return dir;
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false,
  what: string,
  timeoutMs = 20000,
  everyMs = 25,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const quietLogger: DriverLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

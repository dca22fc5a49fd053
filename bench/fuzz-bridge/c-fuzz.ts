// Runs the C fuzz harness (c/host/fuzz_decoder.c, built with ASan/UBSan when available) and reads its JSON line.
// A signal, a non-zero exit or a sanitizer report counts as a crash.
import { spawnSync } from 'node:child_process';

export interface CFuzzReport {
  frames: number;
  crashes: number;
  decoded_after_garbage: boolean;
  sanitized: boolean;
  detail: Record<string, unknown> | null;
  stderrTail: string;
}

export function fuzzC(binary: string, frames: number, seed = 1, sanitized = true): CFuzzReport {
  const r = spawnSync(binary, ['--frames', String(frames), '--seed', String(seed)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1', UBSAN_OPTIONS: 'halt_on_error=1' },
  });
  const line = (r.stdout ?? '').trim().split('\n').at(-1) ?? '';
  let detail: Record<string, unknown> | null = null;
  try {
    detail = JSON.parse(line) as Record<string, unknown>;
  } catch {
    detail = null;
  }
  const sanitizerHit = /ERROR: AddressSanitizer|runtime error:/.test(r.stderr ?? '');
  const crashed = r.signal !== null || sanitizerHit || detail === null || (r.status !== 0 && r.status !== 1);
  return {
    frames,
    crashes: crashed ? 1 : 0,
    decoded_after_garbage: detail?.['decoded_after_garbage'] === true,
    sanitized,
    detail,
    stderrTail: (r.stderr ?? '').slice(-2000),
  };
}

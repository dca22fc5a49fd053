// The C library builds warning-free (-std=c99 -Wall -Wextra -Werror -pedantic) in its small-MCU configuration
// (64-byte payload), and the Arduino sketch compiles against it (host g++, declarations-only Arduino.h: a syntax
// and type check of the sketch, not a hardware test).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { C_DIR, requirePeers } from './fixtures/c-build.js';

t.test('small-MCU configuration builds', async (t) => {
  requirePeers(['gcc', 'make']);
  const dir = mkdtempSync(join(tmpdir(), 'bridge-small-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('make', ['-s', '-C', C_DIR, `BUILD=${dir}`, 'small-check'], { stdio: 'pipe' });
  t.pass('make small-check succeeded');
});

t.test('the Arduino sketch compiles against the library', async (t) => {
  requirePeers(['g++']);
  execFileSync('make', ['-s', '-C', C_DIR, 'sketch-check'], { stdio: 'pipe' });
  t.pass('make sketch-check succeeded');
});

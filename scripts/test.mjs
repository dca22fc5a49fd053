#!/usr/bin/env node
// Runs tap (args pass through) and ends with one plain line "tests: N passed, N failed" counted over test points,
// so any CI reads the outcome the same way. Exit code is tap's.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tap = join(root, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs');
const child = spawn(process.execPath, [tap, ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
child.on('close', (code, signal) => {
  // strip ANSI escapes (ESC = 0x1b) the reporter may emit
  const clean = tail.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), '');
  // the base reporter redraws its progress lines; the last summary is the final one
  const m = [...clean.matchAll(/Asserts:\s+(\d+) pass\s+(\d+) fail/g)].at(-1);
  const passed = m ? Number(m[1]) : 0;
  const failed = m ? Number(m[2]) : code === 0 ? 0 : 1;
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(code ?? (signal ? 1 : 0));
});

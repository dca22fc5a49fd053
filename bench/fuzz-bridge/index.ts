// `npm run bench -- fuzz-bridge [--frames N] [--seed S]`: at least 1M random and mutated frames (default 1,000,000
// per end) into the TypeScript decoder and into the C decoder + device state machine (ASan/UBSan build when the
// compiler has it). Last stdout line: {"frames": N, "crashes": 0, "decoded_after_garbage": true, ...}.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzC } from './c-fuzz.js';
import { fuzzTs } from './ts-fuzz.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const frames = arg('frames', 1_000_000);
const seed = arg('seed', 1);
const cDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'firmware-bridge', 'c');

const tsStart = Date.now();
const ts = fuzzTs(frames, seed);
const tsMs = Date.now() - tsStart;
console.error(`ts: ${JSON.stringify(ts)} in ${tsMs} ms`);

const build = mkdtempSync(join(tmpdir(), 'fuzz-bridge-'));
const sanitized =
  spawnSync('sh', [
    '-c',
    `echo 'int main(void){return 0;}' | gcc -x c -fsanitize=address,undefined -o ${build}/probe -`,
  ]).status === 0;
execFileSync(
  'make',
  ['-s', '-C', cDir, `BUILD=${build}`, `SANITIZE=${sanitized ? 1 : 0}`, join(build, 'fuzz_decoder')],
  { stdio: 'inherit' },
);
const cStart = Date.now();
const c = fuzzC(join(build, 'fuzz_decoder'), frames, seed, sanitized);
const cMs = Date.now() - cStart;
rmSync(build, { recursive: true, force: true });
console.error(`c: ${JSON.stringify(c.detail)} in ${cMs} ms${c.crashes ? `\n${c.stderrTail}` : ''}`);

console.log(
  JSON.stringify({
    frames,
    crashes: ts.crashes + c.crashes,
    decoded_after_garbage: ts.decoded_after_garbage && c.decoded_after_garbage,
    seed,
    ts: { ...ts, ms: tsMs, framesPerSec: Math.round((frames / tsMs) * 1000) },
    c: { ...c.detail, sanitized: c.sanitized, ms: cMs, framesPerSec: Math.round((frames / cMs) * 1000) },
  }),
);

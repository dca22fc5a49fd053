#!/usr/bin/env node
// `npm run bench -- NAME [ARGS]` runs bench/NAME.ts (or bench/NAME/index.ts) with tsx. Every benchmark prints one JSON
// object as its last line of stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const names = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') || existsSync(join(root, 'bench', f, 'index.ts')))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((f) => !f.startsWith('_') && f !== 'lib');
if (!name || name === '--help') {
  console.error(`usage: npm run bench -- NAME [ARGS]\nbenchmarks: ${names.join(', ')}`);
  process.exit(name ? 0 : 2);
}
const file = [join(root, 'bench', `${name}.ts`), join(root, 'bench', name, 'index.ts')].find((f) => existsSync(f));
if (!file) {
  console.error(`unknown benchmark "${name}"; valid: ${names.join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);

// `npm run docs`: writes docs/PROTOCOL.md, docs/schemas/*.json and docs/CONFIG.md from the schemas in the code.
// `--check` writes nothing and exits 1 when a file is stale (tests/docs does the same check).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDocs } from '../runtime/docs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [path, text] of Object.entries(renderDocs())) {
  const file = join(root, path);
  const current = await readFile(file, 'utf8').catch(() => null);
  if (current === text) continue;
  stale.push(path);
  if (!check) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}
console.log(check ? `stale: ${stale.join(', ') || 'none'}` : `written: ${stale.join(', ') || 'nothing changed'}`);
process.exitCode = check && stale.length > 0 ? 1 : 0;

// docs/PROTOCOL.md, docs/schemas/*.json and docs/CONFIG.md are generated from the code; this fails when they are stale.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { renderDocs } from '../../runtime/docs.js';
import { repoRoot } from '../helpers/teardown.js';

t.test('generated docs are current (run `npm run docs` to refresh)', async (t) => {
  for (const [path, text] of Object.entries(renderDocs())) {
    const current = await readFile(join(repoRoot, path), 'utf8').catch(() => '(missing)');
    t.ok(current === text, `${path} is current`);
  }
});

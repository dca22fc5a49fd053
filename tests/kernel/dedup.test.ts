// The duplicate filter: per-agent ids, survives a restart from its journal, bounded window, torn last line.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DedupWindow } from '../../runtime/kernel/dedup/dedup-window.js';
import { tempDir } from './fixtures.js';

t.test('accepts once, remembers across a restart, forgets beyond the window', async (t) => {
  const tmp = tempDir('dedup');
  t.teardown(tmp.remove);
  const path = join(tmp.dir, 'kernel', 'dedup.jsonl');
  const a = new DedupWindow({ path, windowMax: 3 });
  await a.start();
  t.ok(a.accept('lamp', 'm1'));
  t.notOk(a.accept('lamp', 'm1'), 'duplicate');
  t.ok(a.accept('tv', 'm1'), 'ids are per agent');
  t.ok(a.accept('lamp', 'm2'));
  await a.stop();
  appendFileSync(path, 'lamp m-torn');
  const b = new DedupWindow({ path, windowMax: 3 });
  await b.start();
  t.teardown(() => b.stop());
  t.notOk(b.accept('lamp', 'm2'), 'remembered after restart');
  t.ok(b.accept('lamp', 'm-torn'), 'a torn journal line was never acknowledged');
  t.ok(b.accept('lamp', 'm3'));
  t.ok(b.accept('lamp', 'm4'));
  t.ok(b.accept('lamp', 'm1'), 'forgotten beyond windowMax');
  t.equal(b.dropped, 1);
  for (let i = 0; i < 10; i++) b.accept('x', `n${i}`);
  t.ok(readFileSync(path, 'utf8').split('\n').length <= 8, 'journal compacted to the window');
});

// Agent storage on a real file system: isolation between agents, traversal and symlink escapes, quota, persistence.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { StorageService } from '../../runtime/kernel/storage/storage-service.js';
import { tempDir } from './fixtures.js';

function setup(t: { teardown(fn: () => void): void }, quotaBytes = 4096) {
  const tmp = tempDir('storage');
  t.teardown(tmp.remove);
  return { svc: new StorageService({ dataDir: tmp.dir, limits: { quotaBytes } }), dir: tmp.dir };
}

t.test('kv and files round-trip and persist across a new service', async (t) => {
  const { svc, dir } = setup(t);
  svc.ns('lamp-1').kvSet('mode', { on: true, level: 3 });
  svc.ns('lamp-1').writeFile('cfg/schedule.json', Buffer.from('[1,2,3]'));
  const again = new StorageService({ dataDir: dir });
  t.same(again.ns('lamp-1').kvGet('mode'), { on: true, level: 3 });
  t.equal(again.ns('lamp-1').readFile('cfg/schedule.json').toString(), '[1,2,3]');
  t.same(again.ns('lamp-1').kvKeys(), ['mode']);
  t.same(
    again
      .ns('lamp-1')
      .listFiles('cfg')
      .map((e) => [e.name, e.type, e.bytes]),
    [['schedule.json', 'file', 7]],
  );
  t.ok(again.ns('lamp-1').deleteFile('cfg/schedule.json'));
  t.notOk(again.ns('lamp-1').deleteFile('cfg/schedule.json'));
  t.ok(again.ns('lamp-1').kvDelete('mode'));
  t.equal(again.ns('lamp-1').kvGet('mode'), undefined);
});

t.test('no agent reaches another agent data', async (t) => {
  const { svc } = setup(t);
  svc.ns('alice').writeFile('secret.txt', Buffer.from('alice only'));
  svc.ns('alice').kvSet('k', 'alice');
  t.equal(svc.ns('bob').kvGet('k'), undefined, 'kv is per agent');
  t.throws(() => svc.ns('bob').readFile('secret.txt'), { code: 'ENOENT' });
  for (const p of [
    '../alice/files/secret.txt',
    '../../alice/files/secret.txt',
    'a/../../alice/files/secret.txt',
    './x',
  ]) {
    t.throws(() => svc.ns('bob').readFile(p), { code: 'EESCAPE' }, `traversal ${p}`);
    t.throws(() => svc.ns('bob').writeFile(p, Buffer.from('x')), { code: 'EESCAPE' }, `write traversal ${p}`);
  }
  t.throws(() => svc.ns('bob').readFile('/etc/passwd'), { code: 'EPATH' });
  t.throws(() => svc.ns('bob').readFile('a\\..\\b'), { code: 'EPATH' });
  t.throws(() => svc.ns('../alice'), { code: 'EAGENT' });
  t.throws(() => svc.ns('alice/files'), { code: 'EAGENT' });
  t.equal(svc.ns('alice').readFile('secret.txt').toString(), 'alice only');
});

t.test('symlink escapes are refused for read, write and directories', async (t) => {
  const { svc, dir } = setup(t);
  svc.ns('alice').writeFile('secret.txt', Buffer.from('alice only'));
  const bob = svc.ns('bob');
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.txt'), 'untouched');
  // a link planted in bob's area (by his own process writing directly, say) pointing at alice's file and outside
  symlinkSync(join(dir, 'storage', 'alice', 'files', 'secret.txt'), join(bob.filesDir, 'steal.txt'));
  symlinkSync(join(outside, 'victim.txt'), join(bob.filesDir, 'clobber.txt'));
  symlinkSync(outside, join(bob.filesDir, 'linkdir'));
  t.throws(() => bob.readFile('steal.txt'), { code: 'EESCAPE' });
  t.throws(() => bob.writeFile('clobber.txt', Buffer.from('pwned')), { code: 'EESCAPE' });
  t.throws(() => bob.readFile('linkdir/victim.txt'), { code: 'EESCAPE' });
  t.throws(() => bob.writeFile('linkdir/new.txt', Buffer.from('x')), { code: 'EESCAPE' });
  t.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'untouched');
  t.notOk(existsSync(join(outside, 'new.txt')));
  t.ok(bob.deleteFile('steal.txt'), 'deleting a link removes the link only');
  t.equal(svc.ns('alice').readFile('secret.txt').toString(), 'alice only');
  t.same(
    bob.listFiles().map((e) => [e.name, e.type]),
    [
      ['clobber.txt', 'other'],
      ['linkdir', 'other'],
    ],
  );
});

t.test('quota counts kv and files; overwrite and delete give bytes back', async (t) => {
  const { svc } = setup(t, 4096);
  const ns = svc.ns('cam');
  ns.writeFile('a.bin', Buffer.alloc(3000));
  t.throws(() => ns.writeFile('b.bin', Buffer.alloc(2000)), {
    code: 'EQUOTA',
    message: /quota exceeded for agent cam: file "b.bin" needs 5000 bytes, quota is 4096 bytes/,
  });
  t.throws(() => ns.kvSet('big', 'x'.repeat(1500)), { code: 'EQUOTA' });
  ns.writeFile('a.bin', Buffer.alloc(1000));
  ns.writeFile('b.bin', Buffer.alloc(2000));
  ns.kvSet('small', 'x'.repeat(500));
  t.same(ns.usage(), { kvBytes: 507, fileBytes: 3000, quotaBytes: 4096 });
  ns.deleteFile('b.bin');
  ns.kvSet('big', 'x'.repeat(1500));
  t.equal(ns.usage().fileBytes, 1000);
  t.throws(() => ns.kvSet('', 1), { code: 'EKEY' });
  t.throws(() => ns.kvSet('u', undefined), { code: 'EVALUE' });
  svc.setQuota('cam', 100000);
  svc.ns('cam').writeFile('c.bin', Buffer.alloc(20000));
  t.equal(svc.ns('cam').usage().fileBytes, 21000, 'usage measured again from disk');
});

// The credential store on disk, and rotation/revocation reaching live sessions on a real broker, including a change
// made by another process (the CLI) while the gateway runs.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CredentialStore } from '../../runtime/security/credential-store.js';
import { hashSecret, verifySecret } from '../../runtime/security/password-hash.js';
import { closed, connackCode, startHarness, waitFor } from './harness.js';

t.test('password hashes: salted scrypt, constant-time verify, no throw on junk', async (t) => {
  const h1 = await hashSecret('correct horse');
  const h2 = await hashSecret('correct horse');
  t.not(h1, h2, 'per-entry salt: the same secret hashes differently');
  t.match(h1, /^scrypt\$16384\$8\$1\$/, 'cost parameters stored with the hash');
  t.ok(await verifySecret('correct horse', h1), 'right secret verifies');
  t.notOk(await verifySecret('correct horsf', h1), 'wrong secret fails');
  t.notOk(await verifySecret(undefined, h1), 'missing secret fails');
  t.notOk(await verifySecret(Buffer.alloc(5000), h1), 'oversized secret fails');
  t.notOk(await verifySecret('x', 'scrypt$1$1$1$AA$AA'), 'malformed hash never matches');
  t.notOk(await verifySecret('x', 'plain'), 'not a hash never matches');
});

t.test('store: file mode 0600, secrets never stored, clear errors', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'agentos-cred-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const s = new CredentialStore({ dataDir });
  await s.start();
  const a = await s.add({ id: 'lamp-1', kind: 'agent' });
  await s.add({ id: 'alice', kind: 'operator', role: 'admin' });
  const st = await stat(s.file);
  t.equal(st.mode & 0o777, 0o600, 'credentials file is 0600');
  t.equal((await stat(s.dir)).mode & 0o777, 0o700, 'security folder is 0700');
  const text = await readFile(s.file, 'utf8');
  t.notOk(text.includes(a.secret), 'the secret is not in the file');
  t.ok(await s.verify('lamp-1', Buffer.from(a.secret)), 'secret verifies');
  t.same(
    s.list().map((i) => i.id),
    ['lamp-1', 'alice'],
    'list shows ids without hashes',
  );
  t.notOk('hash' in (s.get('lamp-1') ?? {}), 'get hides the hash');

  await t.rejects(s.add({ id: 'lamp-1', kind: 'agent' }), /id: lamp-1 already exists/);
  await t.rejects(s.add({ id: 'a/b', kind: 'agent' }), { name: 'TypeError', message: /^id: must match/ });
  await t.rejects(s.add({ id: '+', kind: 'agent' }), /id: must match/);
  await t.rejects(s.add({ id: 'op', kind: 'operator' }), /role: an operator needs one of admin, viewer/);
  await t.rejects(s.add({ id: 'x', kind: 'robot' as 'agent' }), /kind: must be one of agent, operator, gateway/);
  await t.rejects(s.add({ id: 'x', kind: 'agent', grants: ['a/#/b'] }), /grants\[0\]: topic filter: # must be/);
  await t.rejects(s.add({ id: 'x', kind: 'agent', grants: ['$SYS/#'] }), /grants\[0\]: \$-topics cannot be granted/);
  await t.rejects(s.rotate('nobody'), /id: no identity "nobody"/);
  await t.rejects(s.revoke('nobody'), /id: no identity "nobody"/);

  // a loosened mode is tightened on load; a corrupt file is an error naming the field, and nothing is overwritten
  const { chmod } = await import('node:fs/promises');
  await chmod(s.file, 0o644);
  const s2 = new CredentialStore({ dataDir });
  await s2.start();
  t.equal((await stat(s.file)).mode & 0o777, 0o600, 'mode tightened back to 0600 on load');
  const good = await readFile(s.file, 'utf8');
  const doc = JSON.parse(good);
  doc.identities[0].kind = 'root';
  await writeFile(s.file, JSON.stringify(doc));
  const s3 = new CredentialStore({ dataDir });
  await t.rejects(s3.start(), /identities\[0\]\.kind: must be one of agent, operator, gateway/);
  await writeFile(s.file, '{"version":1,"identities":[');
  await t.rejects(new CredentialStore({ dataDir }).start(), /credentials\.json: not valid JSON/);
  await t.rejects(s.add({ id: 'new-one', kind: 'agent' }), /not valid JSON/, 'a write never replaces a corrupt file');
  t.equal(await readFile(s.file, 'utf8'), '{"version":1,"identities":[', 'corrupt file left as it was for a human');
});

t.test('rotation and revocation close live sessions', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const a = await h.store.add({ id: 'lamp-1', kind: 'agent' });
  const c = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: a.secret });
  t.equal(h.security.sessionCount('lamp-1'), 1, 'one live session');
  const gone = closed(c);
  const r = await h.store.rotate('lamp-1');
  await gone;
  t.pass('rotation closed the live session');
  t.equal(
    await connackCode(h.url, { clientId: 'lamp-1', username: 'lamp-1', password: a.secret }),
    4,
    'old secret refused',
  );
  const c2 = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: r.secret });
  t.ok(c2.connected, 'new secret works');
  const gone2 = closed(c2);
  await h.store.revoke('lamp-1');
  await gone2;
  t.pass('revocation closed the live session');
  t.equal(
    await connackCode(h.url, { clientId: 'lamp-1', username: 'lamp-1', password: r.secret }),
    4,
    'revoked refused',
  );
  await waitFor('session table emptied', () => h.security.sessionCount('lamp-1') === 0);
});

t.test('revocation by another process (the CLI) reaches a live session', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const a = await h.store.add({ id: 'robot-7', kind: 'agent' });
  const c = await h.connect({ clientId: 'robot-7', username: 'robot-7', password: a.secret });
  const gone = closed(c);
  // a separate node process edits the same file, as `agentos agents revoke` does
  const script = `
    import { CredentialStore } from ${JSON.stringify(new URL('../../runtime/security/credential-store.ts', import.meta.url).href)};
    const s = new CredentialStore({ dataDir: ${JSON.stringify(h.dataDir)} });
    await s.start();
    await s.revoke('robot-7');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, 'the other process revoked the identity');
  await gone;
  t.pass('the gateway noticed the file change and closed the session');
  t.notOk(h.store.get('robot-7'), 'the gateway’s view reloaded');
  t.equal(await connackCode(h.url, { clientId: 'robot-7', username: 'robot-7', password: a.secret }), 4, 'refused now');
});

// Reads of the file overlap (the watcher, a verify that missed, our own writes) and finish in any order. A slow read of
// the file as it was before an add once replaced the newer state: the new identity was refused (CONNACK 4) until the
// next change, and the store announced a revocation that never happened.
t.test('overlapping reloads never hide a just-added identity or invent a revocation', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'agentos-cred-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const s = new CredentialStore({ dataDir, watch: true });
  await s.start();
  t.teardown(() => s.stop());
  const revoked: string[] = [];
  s.on('change', (c) => c.action === 'revoked' && revoked.push(c.id));
  let storming = true;
  const inflight = new Set<Promise<void>>();
  const storm = () => {
    if (!storming) return;
    for (let k = 0; k < 3; k++) {
      const p = s.reload().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    setImmediate(storm);
  };
  storm();
  const missing: string[] = [];
  const secrets = new Map<string, string>();
  for (let i = 0; i < 25; i++) {
    const { id, secret } = await s.add({ id: `agent-${i}`, kind: 'agent' });
    secrets.set(id, secret);
    await Promise.all([...inflight]); // every read that overlapped the add has landed
    if (!s.get(id)) missing.push(id);
  }
  storming = false;
  await Promise.all([...inflight]);
  t.same(missing, [], 'each identity is known as soon as its add returns, whatever reads overlapped it');
  t.same(revoked, [], 'no revocation is announced');
  let verified = 0;
  for (const [id, secret] of secrets) if (await s.verify(id, Buffer.from(secret))) verified++;
  t.equal(verified, secrets.size, 'every secret verifies afterwards');
});

// `agentos certs`' code with the real openssl: a CA that can only sign leaves, server and client certificates that
// verify against it with the right SANs and key usages, private keys 0600, and clear errors for bad names.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { main } from '../../runtime/cli/main.js';
import { createSiteCa, createSiteCertificates, issueCertificate } from '../../runtime/security/certs.js';
import { readSiteKey } from '../../runtime/security/site-key.js';

const run = promisify(execFile);

async function text(cert: string): Promise<string> {
  return (await run('openssl', ['x509', '-in', cert, '-noout', '-text'])).stdout;
}

t.test('site CA, server and client certificates', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agentos-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = await createSiteCertificates({
    dir,
    siteName: 'home',
    serverName: 'server',
    altNames: ['gw.local', '192.168.1.10', '::1'],
    clients: ['alice'],
  });
  t.ok(r.caCreated, 'CA created');
  for (const k of ['ca.key', 'server.key', 'alice.key']) {
    t.equal((await stat(join(dir, k))).mode & 0o777, 0o600, `${k} is 0600`);
  }
  const ca = await text(join(dir, 'ca.crt'));
  t.match(ca, /CA:TRUE, pathlen:0/, 'CA may sign leaves only');
  t.match(ca, /Certificate Sign, CRL Sign/);
  t.match(ca, /ASN1 OID: prime256v1/, 'P-256 keys');
  const server = await text(join(dir, 'server.crt'));
  t.match(server, /DNS:gw\.local, IP Address:192\.168\.1\.10, IP Address:0:0:0:0:0:0:0:1/, 'SANs');
  t.match(server, /TLS Web Server Authentication/);
  t.match(server, /CA:FALSE/);
  t.match(await text(join(dir, 'alice.crt')), /Subject: CN = alice[\s\S]*TLS Web Client Authentication/);
  const verify = await run('openssl', [
    'verify',
    '-CAfile',
    join(dir, 'ca.crt'),
    join(dir, 'server.crt'),
    join(dir, 'alice.crt'),
  ]);
  t.match(verify.stdout, /server\.crt: OK[\s\S]*alice\.crt: OK/, 'both verify against the site CA');

  const caBefore = await readFile(join(dir, 'ca.crt'));
  t.same(await createSiteCa(dir, 'home'), { created: false }, 'an existing CA is kept');
  t.same(await readFile(join(dir, 'ca.crt')), caBefore, 'CA unchanged');
  await t.rejects(
    issueCertificate(dir, { name: 'srv', kind: 'server', altNames: ['bad name,DNS:evil.com'] }),
    /altNames: "bad name,DNS:evil.com" is neither an IP address nor a DNS name/,
  );
  await t.rejects(issueCertificate(dir, { name: '../x', kind: 'client' }), /name: id: must match/);
  await t.rejects(issueCertificate(dir, { name: 'srv', kind: 'server' }), /altNames: a server certificate needs/);
});

t.test('agentos certs on the command line also makes the site key', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'agentos-certscli-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`), env: {} };
  t.equal(await main(['certs', '--data-dir', dataDir, '--alt-name', 'localhost', '--client', 'bob'], io), 0);
  t.match(out.join('\n'), /created site CA[\s\S]*bob\.crt[\s\S]*created cluster site key/);
  const key = await readSiteKey(join(dataDir, 'security', 'site.key'));
  t.equal(key.length, 32, '32-byte site key');
  out.length = 0;
  t.equal(await main(['certs', '--data-dir', dataDir, '--alt-name', 'bad_name!'], io), 1, 'bad alt name exits 1');
  t.match(out.join('\n'), /ERR agentos certs: error: altNames: "bad_name!" is neither/);
});

// A site CA and the certificates signed by it, made with the openssl CLI (Node cannot create X.509 certificates).
// Keys are ECDSA P-256: strong (~128-bit security), small and fast on a Pi. The CA may sign only end-entity
// certificates (pathlen 0); server certificates carry the gateway's DNS names and IP addresses as SANs; client
// certificates carry the identity id as CN, which client-certificate authentication maps to a principal.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { idProblem } from './identity.js';

const run = promisify(execFile);

export const CA_DAYS = 3650;
/** 825 days: the longest validity common TLS clients accept for a leaf certificate */
export const LEAF_DAYS = 825;
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export interface IssueOptions {
  /** file stem and CN: `<name>.key`, `<name>.crt` */
  name: string;
  kind: 'server' | 'client';
  /** server only: DNS names and IP addresses */
  altNames?: readonly string[] | undefined;
  days?: number | undefined;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl: not found; install it with `sudo apt-get install -y openssl`');
    throw new Error(`openssl ${args[0]}: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export function altNameProblem(name: string): string | null {
  if (isIP(name) || DNS_NAME.test(name)) return null;
  return `altNames: ${JSON.stringify(name)} is neither an IP address nor a DNS name`;
}

/** Creates `ca.key` and `ca.crt` in `dir` unless they exist; returns whether it made them. */
export async function createSiteCa(dir: string, siteName: string, days = CA_DAYS): Promise<{ created: boolean }> {
  if (!DNS_NAME.test(siteName))
    throw new TypeError(`siteName: letters, digits, '-' and '.', got ${JSON.stringify(siteName)}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, 'ca.key');
  const crt = join(dir, 'ca.crt');
  if ((await exists(key)) || (await exists(crt))) return { created: false };
  const cnf = join(dir, `.ca-${randomBytes(4).toString('hex')}.cnf`);
  await writeFile(
    cnf,
    [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = v3_ca',
      'prompt = no',
      '[dn]',
      `CN = AgentOS site CA ${siteName}`,
      '[v3_ca]',
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  try {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    await chmod(key, 0o600);
    await openssl(['req', '-x509', '-new', '-key', key, '-config', cnf, '-days', String(days), '-sha256', '-out', crt]);
  } finally {
    await rm(cnf, { force: true });
  }
  return { created: true };
}

/** Issues `<name>.key` and `<name>.crt` signed by the CA in `dir`, replacing earlier ones of that name. */
export async function issueCertificate(dir: string, o: IssueOptions): Promise<{ key: string; cert: string }> {
  const problem = idProblem(o.name);
  if (problem) throw new TypeError(`name: ${problem}`);
  const alt = o.altNames ?? [];
  for (const a of alt) {
    const p = altNameProblem(a);
    if (p) throw new TypeError(p);
  }
  if (o.kind === 'server' && alt.length === 0) throw new TypeError('altNames: a server certificate needs at least one');
  const key = join(dir, `${o.name}.key`);
  const cert = join(dir, `${o.name}.crt`);
  const csr = join(dir, `.${o.name}-${randomBytes(4).toString('hex')}.csr`);
  const ext = `${csr}.ext`;
  const san = alt.map((a) => (isIP(a) ? `IP:${a}` : `DNS:${a}`)).join(', ');
  await writeFile(
    ext,
    [
      '[v3]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      `extendedKeyUsage = ${o.kind === 'server' ? 'serverAuth' : 'clientAuth'}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid, issuer',
      ...(san ? [`subjectAltName = ${san}`] : []),
      '',
    ].join('\n'),
  );
  try {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    await chmod(key, 0o600);
    await openssl(['req', '-new', '-key', key, '-subj', `/CN=${o.name}`, '-out', csr]);
    const serial = `0x${randomBytes(16).toString('hex')}`;
    const days = String(o.days ?? LEAF_DAYS);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      join(dir, 'ca.crt'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-set_serial',
      serial,
      '-days',
      days,
      '-sha256',
      '-extfile',
      ext,
      '-extensions',
      'v3',
      '-out',
      cert,
    ]);
  } finally {
    await rm(csr, { force: true });
    await rm(ext, { force: true });
  }
  return { key, cert };
}

export interface SiteCertsOptions {
  dir: string;
  siteName: string;
  /** the gateway's own certificate */
  serverName: string;
  altNames: readonly string[];
  /** identities that get a client certificate */
  clients?: readonly string[] | undefined;
}

/** What `agentos certs` does: the CA if missing, a server certificate, and any client certificates asked for. */
export async function createSiteCertificates(o: SiteCertsOptions): Promise<{ caCreated: boolean; files: string[] }> {
  const { created } = await createSiteCa(o.dir, o.siteName);
  const files = created ? [join(o.dir, 'ca.crt'), join(o.dir, 'ca.key')] : [];
  const s = await issueCertificate(o.dir, { name: o.serverName, kind: 'server', altNames: o.altNames });
  files.push(s.cert, s.key);
  for (const c of o.clients ?? []) {
    const r = await issueCertificate(o.dir, { name: c, kind: 'client' });
    files.push(r.cert, r.key);
  }
  return { caCreated: created, files };
}

// Credentials of agents, operators and gateways, persisted as one JSON file (mode 0600) under the data dir.
// Several processes share the file (the gateway reads and watches it, `agentos agents add` writes it), so every
// change takes a lock file, re-reads, applies and renames a fully written temp file into place. The gateway notices
// changes by watching the folder and emits `change` so live sessions of a rotated or revoked identity are closed.
import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type FSWatcher, type Stats, watch } from 'node:fs';
import { type FileHandle, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Principal } from '../bus/access.js';
import {
  grantsProblem,
  type Identity,
  type IdentityKind,
  identityProblem,
  idProblem,
  KINDS,
  OPERATOR_ROLES,
  type OperatorRole,
  principalOf,
} from './identity.js';
import { decoy, hashSecret, newSecret, verifySecret } from './password-hash.js';

export type CredentialChange = { id: string; action: 'added' | 'rotated' | 'revoked' | 'updated' };

export interface CredentialStoreOptions {
  /** the gateway's data dir; the file is <dataDir>/security/credentials.json */
  dataDir: string;
  identitiesMax?: number | undefined;
  /** watch the file for changes made by other processes (the gateway does; the CLI does not) */
  watch?: boolean | undefined;
  /** how long to wait for another writer's lock */
  lockTimeoutMs?: number | undefined;
}

export interface VerifyOptions {
  /** false: only the cheap checks (a secret that verified before); never run scrypt */
  expensive?: boolean | undefined;
}

export interface AddOptions {
  id: string;
  kind: IdentityKind;
  role?: OperatorRole | undefined;
  grants?: string[] | undefined;
}

const FILE_BYTES_MAX = 16 * 1024 * 1024;
const LOCK_STALE_MS = 10_000;

interface DiskRead {
  identities: Map<string, Identity>;
  sig: string;
}

const sigOf = (st: Stats): string => `${st.ino}:${st.size}:${st.mtimeMs}`;

interface FileShape {
  version: 1;
  identities: Identity[];
}

export class CredentialStore extends EventEmitter<{ change: [CredentialChange]; error: [Error] }> {
  readonly dir: string;
  readonly file: string;
  private readonly identitiesMax: number;
  private readonly lockTimeoutMs: number;
  private readonly watchFile: boolean;
  private byId = new Map<string, Identity>();
  /** id -> sha256 of the last secret that verified, with the hash it verified against; skips scrypt on reconnects */
  private verified = new Map<string, { digest: Buffer; hash: string }>();
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private started = false;
  private starting: Promise<void> | undefined;
  /** inode:size:mtime of the file whose content `byId` holds */
  private loadedSig = '';
  /** Reads overlap (the watcher, a verify that found nothing, our own writes) and finish in any order; each takes a
   * number when it starts, and a read that started before the state already applied is dropped, so a slow read of an
   * older file can never replace a newer one (which once made a just-added identity unknown until the next change). */
  private readsStarted = 0;
  private appliedRead = 0;

  constructor(opts: CredentialStoreOptions) {
    super();
    this.dir = join(opts.dataDir, 'security');
    this.file = join(this.dir, 'credentials.json');
    this.identitiesMax = opts.identitiesMax ?? 10_000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 5000;
    this.watchFile = opts.watch ?? false;
  }

  /** Loads the file (and starts watching). Idempotent; concurrent callers share one load. */
  start(): Promise<void> {
    this.starting ??= this.load().catch((err: unknown) => {
      this.starting = undefined; // a failed load may be retried
      throw err;
    });
    return this.starting;
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const seq = ++this.readsStarted;
    this.applyRead(seq, await this.readFromDisk());
    this.started = true;
    if (this.watchFile) {
      this.watcher = watch(this.dir, (_event, name) => {
        if (name === 'credentials.json') this.scheduleReload();
      });
      this.watcher.on('error', (err) => this.fail(err));
    }
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.starting = undefined;
    this.started = false;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
  }

  list(): Omit<Identity, 'hash'>[] {
    return [...this.byId.values()].map(({ hash: _hash, ...rest }) => rest);
  }

  get(id: string): Omit<Identity, 'hash'> | undefined {
    const i = this.byId.get(id);
    if (!i) return undefined;
    const { hash: _hash, ...rest } = i;
    return rest;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The principal for `id` when `secret` is its current secret; null otherwise. Never throws for bad input. */
  async verify(
    id: string | undefined,
    secret: Buffer | undefined,
    opts: VerifyOptions = {},
  ): Promise<Principal | null> {
    const found = id === undefined ? undefined : this.byId.get(id);
    // an identity added or rotated by another process a moment ago: read the file now rather than at the next event
    const identity = found ?? (id !== undefined && (await this.refreshIfChanged()) ? this.byId.get(id) : undefined);
    if (!identity || !secret) {
      if (opts.expensive !== false) await verifySecret(secret, await decoy()); // same cost as a real check
      return null;
    }
    const digest = createHash('sha256').update(secret).digest();
    const cached = this.verified.get(identity.id);
    if (cached && cached.hash === identity.hash && timingSafeEqual(cached.digest, digest)) return principalOf(identity);
    if (opts.expensive === false) return null;
    if (!(await verifySecret(secret, identity.hash))) {
      if (await this.refreshIfChanged()) {
        const now = this.byId.get(identity.id);
        if (now && now.hash !== identity.hash && (await verifySecret(secret, now.hash))) return principalOf(now);
      }
      return null;
    }
    // the identity may have been rotated while scrypt ran
    if (this.byId.get(identity.id)?.hash !== identity.hash) return null;
    this.verified.set(identity.id, { digest, hash: identity.hash });
    return principalOf(identity);
  }

  /** Adds an identity and returns its secret, which is shown once and never stored in clear. */
  async add(opts: AddOptions): Promise<{ id: string; secret: string }> {
    const problem = addProblem(opts);
    if (problem) throw new TypeError(problem);
    const secret = newSecret();
    const hash = await hashSecret(secret);
    const now = new Date().toISOString();
    await this.mutate(
      (m) => {
        if (m.has(opts.id)) throw new Error(`id: ${opts.id} already exists (rotate or revoke it instead)`);
        if (m.size >= this.identitiesMax) throw new RangeError(`identities: at most ${this.identitiesMax}`);
        const role = opts.kind === 'operator' ? opts.role : undefined;
        m.set(opts.id, {
          id: opts.id,
          kind: opts.kind,
          role,
          grants: opts.grants ?? [],
          hash,
          createdAt: now,
          rotatedAt: now,
        });
      },
      { id: opts.id, action: 'added' },
    );
    return { id: opts.id, secret };
  }

  /** Replaces the secret of `id`; sessions using the old one are closed by whoever listens to `change`. */
  async rotate(id: string): Promise<{ id: string; secret: string }> {
    const secret = newSecret();
    const hash = await hashSecret(secret);
    await this.mutate(
      (m) => {
        const cur = m.get(id);
        if (!cur) throw new Error(`id: no identity ${JSON.stringify(id)}`);
        m.set(id, { ...cur, hash, rotatedAt: new Date().toISOString() });
      },
      { id, action: 'rotated' },
    );
    return { id, secret };
  }

  async revoke(id: string): Promise<void> {
    await this.mutate(
      (m) => {
        if (!m.delete(id)) throw new Error(`id: no identity ${JSON.stringify(id)}`);
      },
      { id, action: 'revoked' },
    );
  }

  async setGrants(id: string, grants: string[]): Promise<void> {
    const p = grantsProblem(grants);
    if (p) throw new TypeError(p);
    await this.mutate(
      (m) => {
        const cur = m.get(id);
        if (!cur) throw new Error(`id: no identity ${JSON.stringify(id)}`);
        m.set(id, { ...cur, grants: [...grants] });
      },
      { id, action: 'updated' },
    );
  }

  /** Re-reads the file and emits a change for every identity that differs. */
  async reload(): Promise<void> {
    const seq = ++this.readsStarted;
    const read = await this.readFromDisk();
    const before = this.byId;
    if (!this.applyRead(seq, read)) return;
    const next = read.identities;
    for (const [id, cur] of before) {
      const now = next.get(id);
      if (!now) this.changed({ id, action: 'revoked' });
      else if (now.hash !== cur.hash) this.changed({ id, action: 'rotated' });
      else if (JSON.stringify(now.grants) !== JSON.stringify(cur.grants) || now.role !== cur.role) {
        this.changed({ id, action: 'updated' });
      }
    }
    for (const id of next.keys()) if (!before.has(id)) this.changed({ id, action: 'added' });
  }

  /** Reloads when the file differs from what was last read (by inode, size and mtime); true if it reloaded. */
  private async refreshIfChanged(): Promise<boolean> {
    if (!this.started) return false;
    const st = await stat(this.file).catch(() => null);
    const sig = st ? sigOf(st) : 'none';
    if (sig === this.loadedSig) return false;
    await this.reload().catch((err: Error) => this.fail(err));
    return true;
  }

  /** A broken file or watcher keeps the last good identities; it is reported, never thrown into an event loop. */
  private fail(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private changed(c: CredentialChange): void {
    if (c.action !== 'added') this.verified.delete(c.id);
    this.emit('change', c);
  }

  private scheduleReload(): void {
    if (this.reloadTimer || !this.started) return;
    // editors and our own writer produce several events per change; read once they settle
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      this.reload().catch((err: Error) => this.fail(err));
    }, 50);
  }

  private async mutate(apply: (m: Map<string, Identity>) => void, change: CredentialChange): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const release = await this.lock();
    try {
      const m = (await this.readFromDisk()).identities;
      apply(m);
      const sig = await this.writeToDisk(m);
      // numbered after the rename: a read that started earlier may have seen the old file and must not win
      this.applyRead(++this.readsStarted, { identities: m, sig });
    } finally {
      await release();
    }
    this.changed(change);
  }

  /** Makes a read the current state unless a read that started later was applied already; true if applied. */
  private applyRead(seq: number, read: DiskRead): boolean {
    if (seq < this.appliedRead) return false;
    this.appliedRead = seq;
    this.byId = read.identities;
    this.loadedSig = read.sig;
    return true;
  }

  /** The file's identities with the signature of exactly the inode they were read from (one open descriptor). */
  private async readFromDisk(): Promise<DiskRead> {
    let fh: FileHandle;
    try {
      fh = await open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { identities: new Map(), sig: 'none' };
      throw err;
    }
    let text: string;
    let sig: string;
    try {
      const st = await fh.stat();
      sig = sigOf(st);
      if (st.size > FILE_BYTES_MAX) throw new RangeError(`${this.file}: larger than ${FILE_BYTES_MAX} bytes`);
      // someone loosened the mode: tighten it rather than keep serving hashes to the world
      if ((st.mode & 0o077) !== 0) await fh.chmod(0o600);
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
    return { identities: parseFile(text, this.file), sig };
  }

  /** Writes the file atomically; returns the signature it has once renamed into place (rename keeps inode, mtime). */
  private async writeToDisk(m: Map<string, Identity>): Promise<string> {
    const body: FileShape = { version: 1, identities: [...m.values()] };
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    let sig: string;
    try {
      await fh.writeFile(`${JSON.stringify(body, null, 2)}\n`);
      await fh.sync(); // rename alone does not make the content durable
      sig = sigOf(await fh.stat());
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    return sig;
  }

  private async lock(): Promise<() => Promise<void>> {
    const path = `${this.file}.lock`;
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const fh = await open(path, 'wx', 0o600);
        await fh.close();
        return () => unlink(path).catch(() => undefined);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const st = await stat(path).catch(() => undefined);
        if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) await unlink(path).catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`${path}: held by another writer for ${this.lockTimeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

function addProblem(o: AddOptions): string | null {
  const idp = idProblem(o.id);
  if (idp) return idp;
  if (!KINDS.includes(o.kind)) return `kind: must be one of ${KINDS.join(', ')}, got ${JSON.stringify(o.kind)}`;
  if (o.kind === 'operator' && !OPERATOR_ROLES.includes(o.role as OperatorRole)) {
    return `role: an operator needs one of ${OPERATOR_ROLES.join(', ')}, got ${JSON.stringify(o.role)}`;
  }
  if (o.kind !== 'operator' && o.role !== undefined) return `role: only operators have a role`;
  if (o.grants !== undefined) return grantsProblem(o.grants);
  return null;
}

function parseFile(text: string, file: string): Map<string, Identity> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const d = doc as Partial<FileShape>;
  if (typeof d !== 'object' || d === null || d.version !== 1 || !Array.isArray(d.identities)) {
    throw new TypeError(`${file}: expected {"version":1,"identities":[...]}`);
  }
  const m = new Map<string, Identity>();
  for (const [i, x] of d.identities.entries()) {
    const p = identityProblem(x, `${file}: identities[${i}]`);
    if (p) throw new TypeError(p);
    const rec = x as Identity;
    if (m.has(rec.id)) throw new TypeError(`${file}: identities[${i}].id: duplicate ${rec.id}`);
    m.set(rec.id, rec);
  }
  return m;
}

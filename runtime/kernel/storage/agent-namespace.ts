// One agent's storage: a key-value store (kv.json, replaced atomically on each change) and a files area (files/),
// both counted against the agent's quota in bytes. Every file operation goes through safe-path's checks and opens
// the last component with O_NOFOLLOW, so neither '..' nor a planted symlink reaches outside the namespace.
import {
  constants as C,
  closeSync,
  type Dirent,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../atomic-file.js';
import { checkRelativePath, O_NOFOLLOW, resolveParent, StorageError } from './safe-path.js';

export interface NamespaceLimits {
  /** kv plus files, bytes */
  quotaBytes: number;
  /** one kv value serialized as JSON, bytes */
  valueBytesMax: number;
  /** one file, bytes */
  fileBytesMax: number;
  keyCharsMax: number;
  keysMax: number;
}

export interface FileEntry {
  name: string;
  type: 'file' | 'dir' | 'other';
  bytes: number;
}

export interface Usage {
  kvBytes: number;
  fileBytes: number;
  quotaBytes: number;
}

function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

function treeBytes(dir: string): number {
  let total = 0;
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += treeBytes(p);
    else if (e.isFile()) total += lstatSync(p).size;
  }
  return total;
}

export class AgentNamespace {
  private kv: Record<string, unknown> | null = null;
  private kvBytes = 0;
  private fileBytes = 0;
  private filesRoot = '';
  private readonly kvPath: string;

  constructor(
    readonly agentId: string,
    readonly dir: string,
    private readonly limits: NamespaceLimits,
  ) {
    this.kvPath = join(dir, 'kv.json');
  }

  /** Loads kv.json and measures the files area. Called once before use. */
  open(): void {
    if (this.kv) return;
    mkdirSync(join(this.dir, 'files'), { recursive: true, mode: 0o700 });
    this.filesRoot = realpathSync(join(this.dir, 'files'));
    this.kv = readJsonFile<Record<string, unknown>>(this.kvPath, {});
    this.kvBytes = Object.entries(this.kv).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(JSON.stringify(v)),
      0,
    );
    this.fileBytes = treeBytes(this.filesRoot);
  }

  /** where the agent's own process may write directly (counted when the namespace is next opened) */
  get filesDir(): string {
    return join(this.dir, 'files');
  }

  usage(): Usage {
    this.open();
    return { kvBytes: this.kvBytes, fileBytes: this.fileBytes, quotaBytes: this.limits.quotaBytes };
  }

  private checkQuota(deltaBytes: number, what: string): void {
    const after = this.kvBytes + this.fileBytes + deltaBytes;
    if (deltaBytes > 0 && after > this.limits.quotaBytes) {
      throw new StorageError(
        'EQUOTA',
        `quota exceeded for agent ${this.agentId}: ${what} needs ${after} bytes, quota is ${this.limits.quotaBytes} bytes`,
      );
    }
  }

  private checkKey(key: unknown): string {
    if (typeof key !== 'string' || key.length === 0 || key.length > this.limits.keyCharsMax || hasControlChar(key)) {
      throw new StorageError('EKEY', `key must be 1..${this.limits.keyCharsMax} chars without control characters`);
    }
    return key;
  }

  kvGet(key: string): unknown {
    this.open();
    const k = this.checkKey(key);
    return Object.hasOwn(this.kv!, k) ? this.kv![k] : undefined;
  }

  kvSet(key: string, value: unknown): void {
    this.open();
    const k = this.checkKey(key);
    if (value === undefined)
      throw new StorageError('EVALUE', `value for key ${JSON.stringify(k)} must be JSON (not undefined)`);
    const json = JSON.stringify(value);
    const bytes = Buffer.byteLength(json);
    if (bytes > this.limits.valueBytesMax)
      throw new StorageError(
        'EVALUE',
        `value for key ${JSON.stringify(k)} is ${bytes} bytes; valueBytesMax is ${this.limits.valueBytesMax}`,
      );
    const has = Object.hasOwn(this.kv!, k);
    if (!has && Object.keys(this.kv!).length >= this.limits.keysMax)
      throw new StorageError('EQUOTA', `agent ${this.agentId} has keysMax ${this.limits.keysMax} keys`);
    const old = has ? Buffer.byteLength(k) + Buffer.byteLength(JSON.stringify(this.kv![k])) : 0;
    const delta = Buffer.byteLength(k) + bytes - old;
    this.checkQuota(delta, `key ${JSON.stringify(k)}`);
    const next = { ...this.kv!, [k]: JSON.parse(json) as unknown };
    writeFileAtomic(this.kvPath, JSON.stringify(next));
    this.kv = next;
    this.kvBytes += delta;
  }

  kvDelete(key: string): boolean {
    this.open();
    const k = this.checkKey(key);
    if (!Object.hasOwn(this.kv!, k)) return false;
    const next = { ...this.kv! };
    const old = Buffer.byteLength(k) + Buffer.byteLength(JSON.stringify(next[k]));
    delete next[k];
    writeFileAtomic(this.kvPath, JSON.stringify(next));
    this.kv = next;
    this.kvBytes -= old;
    return true;
  }

  kvKeys(prefix = ''): string[] {
    this.open();
    return Object.keys(this.kv!)
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  /** Writes a whole file atomically (temp file + rename in the same directory). */
  writeFile(path: string, data: Buffer): void {
    this.open();
    const parts = checkRelativePath(path);
    if (data.length > this.limits.fileBytesMax)
      throw new StorageError(
        'EVALUE',
        `file ${JSON.stringify(path)} is ${data.length} bytes; fileBytesMax is ${this.limits.fileBytesMax}`,
      );
    const name = parts.at(-1)!;
    const parent = resolveParent(this.filesRoot, parts, true, path);
    const target = join(parent, name);
    let oldBytes = 0;
    try {
      const st = lstatSync(target);
      if (st.isSymbolicLink())
        throw new StorageError('EESCAPE', `path ${JSON.stringify(path)} is a symlink; not allowed`);
      if (!st.isFile()) throw new StorageError('EPATH', `path ${JSON.stringify(path)} is not a file`);
      oldBytes = st.size;
    } catch (err) {
      if (err instanceof StorageError) throw err;
    }
    this.checkQuota(data.length - oldBytes, `file ${JSON.stringify(path)}`);
    const tmp = join(parent, `.${name}.tmp-${process.pid}`);
    const fd = openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_TRUNC | O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    this.fileBytes += data.length - oldBytes;
  }

  readFile(path: string): Buffer {
    this.open();
    const parts = checkRelativePath(path);
    const parent = resolveParent(this.filesRoot, parts, false, path);
    let fd: number;
    try {
      fd = openSync(join(parent, parts.at(-1)!), C.O_RDONLY | O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new StorageError('EESCAPE', `path ${JSON.stringify(path)} is a symlink; not allowed`);
      if (code === 'ENOENT') throw new StorageError('ENOENT', `no such file ${JSON.stringify(path)}`);
      throw err;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new StorageError('EPATH', `path ${JSON.stringify(path)} is not a file`);
      if (st.size > this.limits.fileBytesMax)
        throw new StorageError('EVALUE', `file ${JSON.stringify(path)} is larger than fileBytesMax`);
      const buf = Buffer.alloc(st.size);
      let off = 0;
      while (off < buf.length) {
        const n = readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  deleteFile(path: string): boolean {
    this.open();
    const parts = checkRelativePath(path);
    let parent: string;
    try {
      parent = resolveParent(this.filesRoot, parts, false, path);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'ENOENT') return false;
      throw err;
    }
    const target = join(parent, parts.at(-1)!);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(target);
    } catch {
      return false;
    }
    if (st.isDirectory()) throw new StorageError('EPATH', `path ${JSON.stringify(path)} is a directory`);
    // unlink removes a symlink itself, never its target
    unlinkSync(target);
    if (st.isFile()) this.fileBytes -= st.size;
    return true;
  }

  /** Entries of a directory in the files area ('' for the top). */
  listFiles(dirPath = ''): FileEntry[] {
    this.open();
    let dir = this.filesRoot;
    if (dirPath !== '') {
      const parts = checkRelativePath(dirPath);
      dir = resolveParent(this.filesRoot, [...parts, '.'], false, dirPath);
    }
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.includes('.tmp-'))
      .map((e) => {
        const type = e.isFile() ? 'file' : e.isDirectory() ? 'dir' : 'other';
        return { name: e.name, type, bytes: type === 'file' ? lstatSync(join(dir, e.name)).size : 0 } as FileEntry;
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

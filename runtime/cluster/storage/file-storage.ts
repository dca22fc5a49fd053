// Durable Raft state on the local disk: `raft.log` (append-only records: entries, hard states, a base) and
// `snapshot.bin` (one record). Contract with the caller, for each Ready: `await saveReady(rd)` (written AND fsynced)
// before sending rd.messages. Snapshots and rewritten logs are made atomic by write-temp + fsync + rename + fsync(dir).
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry, HardState, Ready, Snapshot } from '../raft/types.js';
import {
  assemble,
  baseRecord,
  entryRecord,
  hardStateRecord,
  type PersistedState,
  parseSnapshot,
  replay,
  snapshotRecord,
} from './log-records.js';
import { CorruptLogError, decodeRecords, RECORD_BYTES_MAX } from './record-codec.js';

export interface FileStorageOptions {
  readonly dir: string;
  /** Largest record (one entry or the snapshot), bytes. */
  readonly recordBytesMax?: number | undefined;
}

export interface LoadedState extends PersistedState {
  /** Bytes of a torn last record dropped while loading (0 after a clean shutdown). */
  readonly droppedBytes: number;
}

const LOG_FILE = 'raft.log';
const SNAPSHOT_FILE = 'snapshot.bin';

export class FileStorage {
  private readonly dir: string;
  private readonly recordBytesMax: number;
  private log: FileHandle | undefined;
  /** The persisted entries (mirror of the file), needed to rewrite the file at compaction. */
  private entries: Entry[] = [];
  private hardState: HardState = { term: 0, vote: '', commit: 0 };
  private snapshot: Snapshot | undefined;

  constructor(opts: FileStorageOptions) {
    if (typeof opts.dir !== 'string' || opts.dir === '') throw new TypeError('FileStorage: dir must be a path');
    this.dir = opts.dir;
    this.recordBytesMax = opts.recordBytesMax ?? RECORD_BYTES_MAX;
  }

  /** Loads what is on disk, truncating a torn last record, and opens the log for appending. */
  async open(): Promise<LoadedState> {
    if (this.log) throw new Error('FileStorage: already open');
    await mkdir(this.dir, { recursive: true });
    this.snapshot = await this.readSnapshot();
    const bytes = await readFile(join(this.dir, LOG_FILE)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return Buffer.alloc(0);
      throw e;
    });
    const decoded = decodeRecords(bytes, this.recordBytesMax);
    const state = assemble(this.snapshot, replay(decoded.records));
    this.log = await open(join(this.dir, LOG_FILE), 'a+');
    if (decoded.tornBytes > 0) {
      await this.log.truncate(decoded.validBytes);
      await this.log.datasync();
    }
    this.entries = [...state.entries];
    this.hardState = state.hardState;
    return { ...state, droppedBytes: decoded.tornBytes };
  }

  /** Persists one Ready's durable parts; resolves only after fsync. */
  async saveReady(rd: Pick<Ready, 'hardState' | 'entries' | 'snapshot'>): Promise<void> {
    if (rd.snapshot) await this.installSnapshot(rd.snapshot, rd.hardState);
    await this.append(rd.hardState, rd.entries);
  }

  /** Appends entries, then the hard state (so a surviving hard state implies its entries survived), then fsyncs. */
  async append(hs: HardState | undefined, entries: readonly Entry[]): Promise<void> {
    const log = this.requireOpen();
    if (entries.length === 0 && !hs) return;
    const parts = entries.map((e) => entryRecord(e, this.recordBytesMax));
    if (hs) parts.push(hardStateRecord(hs));
    await log.write(Buffer.concat(parts));
    await log.datasync();
    for (const e of entries) this.mirrorAppend(e);
    if (hs) this.hardState = hs;
  }

  /** After the application took a snapshot (RaftNode.compact): store it and drop the log prefix it covers. */
  async compact(snap: Snapshot): Promise<void> {
    this.requireOpen();
    await this.writeSnapshot(snap);
    this.snapshot = snap;
    await this.rewriteLog(
      snap,
      this.entries.filter((e) => e.index > snap.meta.index),
    );
  }

  async close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await log?.close();
  }

  private async installSnapshot(snap: Snapshot, hs: HardState | undefined): Promise<void> {
    await this.writeSnapshot(snap);
    this.snapshot = snap;
    // The rewritten log is durable before this Ready's entries: its commit index must not reach past the snapshot.
    this.hardState = { ...(hs ?? this.hardState), commit: snap.meta.index };
    await this.rewriteLog(snap, []);
  }

  private mirrorAppend(e: Entry): void {
    const first = this.entries[0]?.index;
    if (first !== undefined && e.index >= first) this.entries.length = Math.min(this.entries.length, e.index - first);
    this.entries.push(e);
  }

  private async writeSnapshot(snap: Snapshot): Promise<void> {
    await this.writeAtomic(SNAPSHOT_FILE, snapshotRecord(snap, this.recordBytesMax));
  }

  private async readSnapshot(): Promise<Snapshot | undefined> {
    const bytes = await readFile(join(this.dir, SNAPSHOT_FILE)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!bytes) return undefined;
    const d = decodeRecords(bytes, this.recordBytesMax);
    const rec = d.records[0];
    // The snapshot is renamed into place only once complete, so any damage is corruption, never a torn write.
    if (!rec || d.tornBytes > 0) throw new CorruptLogError(`${SNAPSHOT_FILE}: damaged`, d.validBytes);
    return parseSnapshot(rec);
  }

  private async rewriteLog(snap: Snapshot, keep: readonly Entry[]): Promise<void> {
    const parts = [
      baseRecord(snap.meta.index, snap.meta.term),
      ...keep.map((e) => entryRecord(e, this.recordBytesMax)),
    ];
    parts.push(hardStateRecord(this.hardState));
    await this.log?.close();
    this.log = undefined;
    await this.writeAtomic(LOG_FILE, Buffer.concat(parts));
    this.log = await open(join(this.dir, LOG_FILE), 'a+');
    this.entries = [...keep];
  }

  private async writeAtomic(name: string, bytes: Buffer): Promise<void> {
    const tmp = join(this.dir, `${name}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.write(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  private requireOpen(): FileHandle {
    if (!this.log) throw new Error('FileStorage: not open (call open() first)');
    return this.log;
  }

  /** Removes the directory's Raft files (for tests and `leave`). */
  static async destroy(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }
}

// Simulated disk for the Raft log, using the same record format and replay code as FileStorage. It separates what was
// fsynced from what was only written, so a crash can lose the unsynced tail or tear its last record at any byte; the
// next load must then detect and drop the torn record exactly as it would on a real disk.
import type { SeededRng } from '../raft/prng.js';
import type { Entry, HardState, Ready, Snapshot } from '../raft/types.js';
import {
  assemble,
  baseRecord,
  entryRecord,
  hardStateRecord,
  type PersistedState,
  replay,
} from '../storage/log-records.js';
import { decodeRecords } from '../storage/record-codec.js';

export interface SimLoad extends PersistedState {
  readonly droppedBytes: number;
}

export class SimStorage {
  private synced: Buffer = Buffer.alloc(0);
  private unsynced: Buffer[] = [];
  private snapshot: Snapshot | undefined;
  private entries: Entry[] = [];
  private hardState: HardState = { term: 0, vote: '', commit: 0 };
  /** Torn records detected on load so far (a statistic for the simulation report). */
  tornLoads = 0;

  /** Writes one Ready's durable parts; `sync` false models a crash before fsync returned. */
  save(rd: Pick<Ready, 'hardState' | 'entries' | 'snapshot'>, sync: boolean): void {
    if (rd.snapshot) this.installSnapshot(rd.snapshot, rd.hardState);
    const parts = rd.entries.map((e) => entryRecord(e));
    if (rd.hardState) parts.push(hardStateRecord(rd.hardState));
    if (parts.length === 0) return;
    this.unsynced.push(Buffer.concat(parts));
    for (const e of rd.entries) this.mirror(e);
    if (rd.hardState) this.hardState = rd.hardState;
    if (sync) this.fsync();
  }

  /** Compaction: snapshot and rewritten log are renamed into place atomically (and the directory fsynced). */
  compact(snap: Snapshot): void {
    this.snapshot = snap;
    this.rewrite(
      snap,
      this.entries.filter((e) => e.index > snap.meta.index),
    );
  }

  /** A crash: everything fsynced survives; of the unsynced bytes a random prefix survives, possibly mid-record. */
  crash(rng: SeededRng): void {
    const pending = Buffer.concat(this.unsynced);
    const keep = rng.chance(0.3) ? pending.length : rng.nextInt(pending.length + 1);
    this.synced = Buffer.concat([this.synced, pending.subarray(0, keep)]);
    this.unsynced = [];
  }

  load(): SimLoad {
    const decoded = decodeRecords(this.synced);
    if (decoded.tornBytes > 0) {
      this.tornLoads++;
      this.synced = this.synced.subarray(0, decoded.validBytes);
    }
    const state = assemble(this.snapshot, replay(decoded.records));
    this.entries = [...state.entries];
    this.hardState = state.hardState;
    return { ...state, droppedBytes: decoded.tornBytes };
  }

  private fsync(): void {
    if (this.unsynced.length === 0) return;
    this.synced = Buffer.concat([this.synced, ...this.unsynced]);
    this.unsynced = [];
  }

  private installSnapshot(snap: Snapshot, hs: HardState | undefined): void {
    this.snapshot = snap;
    // The rewritten log is durable at once: its hard state may commit only up to the snapshot, since the entries of
    // this Ready (which the Ready's commit index may cover) are not yet on disk. Found by the simulation (seed 11660).
    this.hardState = { ...(hs ?? this.hardState), commit: snap.meta.index };
    this.rewrite(snap, []);
  }

  private rewrite(snap: Snapshot, keep: readonly Entry[]): void {
    this.fsync();
    const parts = [baseRecord(snap.meta.index, snap.meta.term), ...keep.map((e) => entryRecord(e))];
    parts.push(hardStateRecord(this.hardState));
    this.synced = Buffer.concat(parts);
    this.entries = [...keep];
  }

  private mirror(e: Entry): void {
    const first = this.entries[0]?.index;
    if (first !== undefined && e.index >= first) this.entries.length = Math.min(this.entries.length, e.index - first);
    this.entries.push(e);
  }
}

// The Raft log as the core sees it: a snapshot boundary, then entries. Entries above `stableIndex` are unstable (not
// yet persisted by the caller) and are handed out in Ready; `advance` marks them stable. Configuration entries are
// indexed so membership can be read from the log tail (membership takes effect when appended, see membership.ts).
import { type Entry, invariant, type Snapshot, type SnapshotMeta } from './types.js';

export class RaftLog {
  snapshotMeta: SnapshotMeta;
  private entries: Entry[];
  committed: number;
  applied: number;
  /** Highest index known to be durable on the caller's disk. */
  stableIndex: number;
  /** A snapshot received from the leader and not yet persisted by the caller. */
  pendingSnapshot: Snapshot | undefined;
  /** Indices of `conf` entries currently in `entries`, ascending. */
  private confIndices: number[] = [];

  constructor(meta: SnapshotMeta, entries: readonly Entry[], committed: number) {
    this.snapshotMeta = meta;
    this.entries = [];
    this.committed = meta.index;
    this.applied = meta.index;
    this.stableIndex = meta.index;
    if (entries.length > 0) this.append(entries.filter((e) => e.index > meta.index));
    this.stableIndex = this.lastIndex();
    invariant(committed <= this.lastIndex() || committed <= meta.index, `commit ${committed} beyond last index`);
    this.committed = Math.max(meta.index, committed);
  }

  firstIndex(): number {
    return this.snapshotMeta.index + 1;
  }

  lastIndex(): number {
    return this.snapshotMeta.index + this.entries.length;
  }

  /** Term at `index`, or undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    const s = this.snapshotMeta.index;
    if (index === s) return this.snapshotMeta.term;
    if (index < s || index > this.lastIndex()) return undefined;
    return this.entries[index - s - 1]?.term;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  entry(index: number): Entry | undefined {
    return this.entries[index - this.snapshotMeta.index - 1];
  }

  /** Entries in [lo, hi]; lo must be above the snapshot. */
  slice(lo: number, hi: number): Entry[] {
    invariant(lo > this.snapshotMeta.index, `slice from compacted index ${lo}`);
    const s = this.snapshotMeta.index;
    return this.entries.slice(lo - s - 1, Math.min(hi, this.lastIndex()) - s);
  }

  /**
   * Largest index <= `index` whose term is <= `term` (or the snapshot boundary): the leader and follower use it to
   * skip a whole term of conflicting entries in one round trip (fast backtracking).
   */
  findConflictByTerm(index: number, term: number): number {
    if (index > this.lastIndex()) return index;
    let i = index;
    for (;;) {
      const t = this.term(i);
      if (t === undefined || t <= term) return i;
      i--;
    }
  }

  /** Appends after a consistency check (AppendEntries receiver); returns the last new index, or undefined. */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      invariant(conflict > this.committed, `conflict at ${conflict} at or below commit ${this.committed}`);
      this.append(ents.slice(conflict - prevIndex - 1));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** First index whose entry is missing or differs in term; 0 when all are already present. */
  private findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (e.index <= this.snapshotMeta.index) continue;
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** Appends, truncating any suffix that starts at the first new index. */
  append(ents: readonly Entry[]): void {
    const first = ents[0];
    if (first === undefined) return;
    invariant(first.index > this.committed, `overwriting committed index ${first.index}`);
    invariant(first.index <= this.lastIndex() + 1, `gap before index ${first.index}`);
    const s = this.snapshotMeta.index;
    if (first.index <= this.lastIndex()) {
      this.entries.length = first.index - s - 1;
      while ((this.confIndices.at(-1) ?? 0) >= first.index) this.confIndices.pop();
      this.stableIndex = Math.min(this.stableIndex, first.index - 1);
    }
    for (const e of ents) {
      invariant(e.index === this.lastIndex() + 1, `non-contiguous entry ${e.index}`);
      this.entries.push(e);
      if (e.type === 'conf') this.confIndices.push(e.index);
    }
  }

  /** The latest conf entry in the log, if any. */
  lastConfEntry(): Entry | undefined {
    const i = this.confIndices.at(-1);
    return i === undefined ? undefined : this.entry(i);
  }

  /** The latest conf entry at or below `index`, if still in the log. */
  confEntryAtOrBelow(index: number): Entry | undefined {
    for (let k = this.confIndices.length - 1; k >= 0; k--) {
      const i = this.confIndices[k]!;
      if (i <= index) return this.entry(i);
    }
    return undefined;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    invariant(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** §5.4.2: a leader commits by counting replicas only for an entry of its own term. */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  unstableEntries(): Entry[] {
    if (this.stableIndex >= this.lastIndex()) return [];
    return this.slice(this.stableIndex + 1, this.lastIndex());
  }

  /** Marks entries up to `index` durable, unless that entry was replaced meanwhile. */
  stableTo(index: number, term: number): void {
    if (index > this.stableIndex && this.matchTerm(index, term)) this.stableIndex = index;
  }

  /** Committed entries not yet handed to the application, at most `max`. */
  nextCommitted(max: number): Entry[] {
    const lo = Math.max(this.applied, this.snapshotMeta.index) + 1;
    if (lo > this.committed) return [];
    return this.slice(lo, Math.min(this.committed, lo + max - 1));
  }

  appliedTo(index: number): void {
    invariant(index <= this.committed, `applied ${index} beyond commit ${this.committed}`);
    if (index > this.applied) this.applied = index;
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  restore(snap: Snapshot): void {
    this.snapshotMeta = snap.meta;
    this.entries = [];
    this.confIndices = [];
    this.committed = snap.meta.index;
    this.applied = snap.meta.index;
    this.stableIndex = snap.meta.index;
    this.pendingSnapshot = snap;
  }

  /** Drops entries up to `meta.index` (already applied and captured in a snapshot). */
  compact(meta: SnapshotMeta): void {
    const s = this.snapshotMeta.index;
    invariant(meta.index > s && meta.index <= this.applied, `compact to ${meta.index} (applied ${this.applied})`);
    invariant(this.term(meta.index) === meta.term, `compact term mismatch at ${meta.index}`);
    this.entries = this.entries.slice(meta.index - s);
    this.confIndices = this.confIndices.filter((i) => i > meta.index);
    this.snapshotMeta = meta;
    this.stableIndex = Math.max(this.stableIndex, meta.index);
  }

  /** Stable entries above `index` (for tests and invariant checks). */
  entriesAfter(index: number): Entry[] {
    const lo = Math.max(index, this.snapshotMeta.index) + 1;
    return lo > this.lastIndex() ? [] : this.slice(lo, this.lastIndex());
  }
}

// The records of the Raft log file and how a file is replayed into state. The file is append-only: a conflicting
// suffix is "truncated" by appending the replacing entries, and replay lets an entry at index i discard whatever it
// held at i and above. A `base` record starts a rewritten file (after compaction or an installed snapshot) and names
// the (index, term) the following entries continue from.
import type { Entry, HardState, Snapshot } from '../raft/types.js';
import { CorruptLogError, encodeRecord, type RawRecord } from './record-codec.js';

export const KIND_ENTRY = 1;
export const KIND_HARD_STATE = 2;
export const KIND_BASE = 3;
export const KIND_SNAPSHOT = 4;

const enc = new TextEncoder();
const dec = new TextDecoder();

export function entryRecord(e: Entry, recordBytesMax?: number): Buffer {
  return encodeRecord(
    KIND_ENTRY,
    enc.encode(JSON.stringify([e.term, e.index, e.type === 'conf' ? 1 : 0, e.data])),
    recordBytesMax,
  );
}

export function hardStateRecord(hs: HardState): Buffer {
  return encodeRecord(KIND_HARD_STATE, enc.encode(JSON.stringify([hs.term, hs.vote, hs.commit])));
}

export function baseRecord(index: number, term: number): Buffer {
  return encodeRecord(KIND_BASE, enc.encode(JSON.stringify([index, term])));
}

export function snapshotRecord(s: Snapshot, recordBytesMax?: number): Buffer {
  return encodeRecord(KIND_SNAPSHOT, enc.encode(JSON.stringify(s)), recordBytesMax);
}

export function parseSnapshot(r: RawRecord): Snapshot {
  if (r.kind !== KIND_SNAPSHOT) throw new CorruptLogError(`snapshot file: unexpected record kind ${r.kind}`, 0);
  return JSON.parse(dec.decode(r.payload)) as Snapshot;
}

export interface ReplayedLog {
  hardState: HardState;
  base: { index: number; term: number } | undefined;
  /** Contiguous entries in index order. */
  entries: Entry[];
}

export function replay(records: readonly RawRecord[]): ReplayedLog {
  const out: ReplayedLog = { hardState: { term: 0, vote: '', commit: 0 }, base: undefined, entries: [] };
  for (const r of records) {
    const v = JSON.parse(dec.decode(r.payload)) as unknown[];
    if (r.kind === KIND_HARD_STATE) {
      out.hardState = { term: v[0] as number, vote: v[1] as string, commit: v[2] as number };
    } else if (r.kind === KIND_BASE) {
      out.base = { index: v[0] as number, term: v[1] as number };
      out.entries = [];
    } else if (r.kind === KIND_ENTRY) {
      const e: Entry = {
        term: v[0] as number,
        index: v[1] as number,
        type: v[2] === 1 ? 'conf' : 'normal',
        data: v[3] as string,
      };
      appendReplayed(out, e);
    } else {
      throw new CorruptLogError(`log: unknown record kind ${r.kind}`, 0);
    }
  }
  return out;
}

function appendReplayed(out: ReplayedLog, e: Entry): void {
  const first = out.entries[0];
  if (first === undefined) {
    out.entries.push(e);
    return;
  }
  const next = first.index + out.entries.length;
  if (e.index < first.index || e.index > next) throw new CorruptLogError(`log: entry ${e.index} out of sequence`, 0);
  // An entry at an index we already hold replaces that entry and everything after it (a conflicting suffix).
  out.entries.length = e.index - first.index;
  out.entries.push(e);
}

export interface PersistedState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | undefined;
  readonly entries: Entry[];
}

/**
 * Joins the snapshot and the replayed log (§7 InstallSnapshot's rule): entries after the snapshot are kept only if the
 * log agrees with the snapshot's last (index, term); otherwise the whole log belongs to a discarded history.
 */
export function assemble(snapshot: Snapshot | undefined, log: ReplayedLog): PersistedState {
  if (!snapshot) return { hardState: log.hardState, snapshot, entries: log.entries };
  const { index, term } = snapshot.meta;
  const first = log.entries[0]?.index;
  let agrees = false;
  if (log.base && log.base.index === index) agrees = log.base.term === term;
  else if (first !== undefined && first <= index && index < first + log.entries.length) {
    agrees = log.entries[index - first]!.term === term;
  }
  const entries = agrees ? log.entries.filter((e) => e.index > index) : [];
  const commit = Math.max(log.hardState.commit, index);
  return { hardState: { ...log.hardState, commit }, snapshot, entries };
}

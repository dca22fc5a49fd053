// Single-server membership changes (Raft dissertation §4.1). A `conf` entry carries the change and the complete
// resulting voter set, so the configuration in force is simply that of the last conf entry in the log (or the
// snapshot's): it takes effect when appended and reverts if the entry is truncated. The leader accepts one change at
// a time and only after it has committed an entry of its own term (the fix Ongaro published in 2015).
import type { RaftLog } from './log.js';
import { type ConfState, type Entry, type NodeId, RaftError } from './types.js';

export interface ConfChange {
  readonly type: 'addVoter' | 'removeVoter';
  readonly nodeId: NodeId;
}

interface ConfEntryData {
  readonly change: ConfChange;
  readonly voters: readonly NodeId[];
}

export function encodeConfEntry(change: ConfChange, voters: readonly NodeId[]): string {
  const data: ConfEntryData = { change, voters: [...voters].sort() };
  return JSON.stringify(data);
}

export function decodeConfEntry(e: Entry): ConfEntryData {
  const d = JSON.parse(e.data) as ConfEntryData;
  if (!Array.isArray(d.voters) || typeof d.change?.nodeId !== 'string') {
    throw new Error(`conf entry ${e.index}: malformed data`);
  }
  return d;
}

/** The membership in force: the last conf entry in the log, else the snapshot's. */
export function currentConf(log: RaftLog): ConfState {
  const e = log.lastConfEntry();
  return e ? { voters: decodeConfEntry(e).voters } : log.snapshotMeta.conf;
}

/** Membership as of `index` (for a snapshot taken at `index`). */
export function confAt(log: RaftLog, index: number): ConfState {
  const e = log.confEntryAtOrBelow(index);
  return e ? { voters: decodeConfEntry(e).voters } : log.snapshotMeta.conf;
}

/** Validates a change against the current voters and returns the resulting voter set. */
export function applyChange(voters: ReadonlySet<NodeId>, cc: ConfChange): NodeId[] {
  if (typeof cc.nodeId !== 'string' || cc.nodeId === '') {
    throw new RaftError('conf change: nodeId must be a non-empty string', 'bad-conf-change');
  }
  const next = new Set(voters);
  if (cc.type === 'addVoter') {
    if (next.has(cc.nodeId)) throw new RaftError(`conf change: ${cc.nodeId} is already a voter`, 'bad-conf-change');
    next.add(cc.nodeId);
  } else if (cc.type === 'removeVoter') {
    if (!next.has(cc.nodeId)) throw new RaftError(`conf change: ${cc.nodeId} is not a voter`, 'bad-conf-change');
    if (next.size === 1) throw new RaftError('conf change: cannot remove the last voter', 'bad-conf-change');
    next.delete(cc.nodeId);
  } else {
    throw new RaftError(`conf change: type must be addVoter or removeVoter`, 'bad-conf-change');
  }
  return [...next].sort();
}

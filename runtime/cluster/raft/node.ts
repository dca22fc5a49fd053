// The facade the caller drives (etcd's RawNode): tick(), step(), proposals and reads in; ready()/advance() out.
// Usage, per Ready: persist hardState + entries + snapshot durably, send messages, install the snapshot, apply
// committedEntries, then advance(). See ../README.md for the persistence contract.

import type { ConfChange } from './membership.js';
import { confAt } from './membership.js';
import { Raft, type RaftInit } from './raft.js';
import {
  type HardState,
  invariant,
  MESSAGE_TYPES,
  type Message,
  type NodeId,
  type RaftConfig,
  type Ready,
  type Role,
  type Snapshot,
} from './types.js';

export type { RaftInit } from './raft.js';

export interface LogView {
  term(index: number): number | undefined;
  firstIndex(): number;
  lastIndex(): number;
  entry(index: number): { readonly term: number; readonly type: string; readonly data: string } | undefined;
  readonly committed: number;
}

export const DEFAULT_RAFT_CONFIG = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  inflightMessagesMax: 64,
  entriesPerMessageMax: 64,
  applyEntriesMax: 256,
} as const;

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly voters: readonly NodeId[];
  /** On the leader: each follower's matched index. */
  readonly progress: Readonly<Record<NodeId, { match: number; next: number; state: string }>>;
}

export class RaftNode {
  private readonly raft: Raft;
  private prevHardState: HardState;

  constructor(cfg: RaftConfig, init: RaftInit) {
    validateConfig(cfg);
    this.raft = new Raft(cfg, init);
    this.prevHardState = this.raft.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  /** Feeds a message from a peer. Messages with an unknown type or a missing field are rejected. */
  step(m: Message): void {
    if (!MESSAGE_TYPES.includes(m.type)) throw new TypeError(`raft message: unknown type ${String(m.type)}`);
    if (m.to !== this.raft.id) throw new TypeError(`raft message: addressed to ${m.to}, not ${this.raft.id}`);
    this.raft.step(m);
  }

  /** Appends `data` as a new entry; throws RaftError('not-leader') elsewhere. Returns the entry's index. */
  propose(data: string): number {
    return this.raft.propose(data);
  }

  proposeConfChange(cc: ConfChange): number {
    return this.raft.proposeConfChange(cc);
  }

  transferLeadership(to: NodeId): void {
    this.raft.transferLeadership(to);
  }

  /** Starts a linearizable read tagged `context` (unique per request); watch Ready.readStates for it. */
  readIndex(context: string): void {
    this.raft.readIndex(context);
  }

  /** Starts an election now (skips the timeout; pre-vote still applies). */
  campaign(): void {
    this.raft.hup(false);
  }

  hasReady(): boolean {
    const r = this.raft;
    return (
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.log.stableIndex < r.log.lastIndex() ||
      r.log.pendingSnapshot !== undefined ||
      r.log.committed > r.log.applied ||
      !sameHardState(r.hardState(), this.prevHardState)
    );
  }

  ready(): Ready {
    const r = this.raft;
    const hs = r.hardState();
    const rd: Ready = {
      softState: { leader: r.lead, role: r.role },
      hardState: sameHardState(hs, this.prevHardState) ? undefined : hs,
      entries: r.log.unstableEntries(),
      snapshot: r.log.pendingSnapshot,
      committedEntries: r.log.nextCommitted(r.cfg.applyEntriesMax),
      messages: r.msgs,
      readStates: r.readStates,
    };
    // Messages and read states are handed over now: anything produced before advance() goes into the next Ready.
    r.msgs = [];
    r.readStates = [];
    return rd;
  }

  advance(rd: Ready): void {
    const log = this.raft.log;
    if (rd.hardState) this.prevHardState = rd.hardState;
    const last = rd.entries.at(-1);
    if (last) log.stableTo(last.index, last.term);
    if (rd.snapshot && log.pendingSnapshot === rd.snapshot) log.pendingSnapshot = undefined;
    const applied = rd.committedEntries.at(-1);
    if (applied) log.appliedTo(applied.index);
  }

  /**
   * Records that the application captured its state at `index` (already applied) in `data`, and drops the log up to
   * it. Returns the snapshot the caller must persist (storage compaction) and that lagging followers will receive.
   */
  compact(index: number, data: string): Snapshot {
    const log = this.raft.log;
    invariant(index <= log.applied, `compact: index ${index} not applied yet (applied ${log.applied})`);
    const term = log.term(index);
    invariant(term !== undefined, `compact: index ${index} is not in the log`);
    const snap: Snapshot = { meta: { index, term, conf: confAt(log, index) }, data };
    log.compact(snap.meta);
    this.raft.snapshot = snap;
    return snap;
  }

  /** Cheap role/term view, polled by the simulation after every step. */
  basicStatus(): { role: Role; term: number; leader: NodeId; commit: number } {
    const r = this.raft;
    return { role: r.role, term: r.term, leader: r.lead, commit: r.log.committed };
  }

  status(): RaftStatus {
    const r = this.raft;
    const progress: Record<NodeId, { match: number; next: number; state: string }> = {};
    if (r.role === 'leader') {
      for (const [id, pr] of r.tracker.progress) progress[id] = { match: pr.match, next: pr.next, state: pr.state };
    }
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      leader: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      snapshotIndex: r.log.snapshotMeta.index,
      voters: [...r.tracker.voters],
      progress,
    };
  }

  /** Read-only view of the log for invariant checks (simulation, tests); no copy is made. */
  logView(): LogView {
    return this.raft.log;
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function validateConfig(cfg: RaftConfig): void {
  const positive = [
    'electionTicks',
    'heartbeatTicks',
    'inflightMessagesMax',
    'entriesPerMessageMax',
    'applyEntriesMax',
  ];
  for (const k of positive) {
    const v = (cfg as unknown as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new TypeError(`raft config: ${k} must be a positive integer, got ${String(v)}`);
    }
  }
  if (cfg.heartbeatTicks >= cfg.electionTicks) {
    throw new TypeError('raft config: heartbeatTicks must be below electionTicks');
  }
  if (typeof cfg.id !== 'string' || cfg.id === '') throw new TypeError('raft config: id must be a non-empty string');
}

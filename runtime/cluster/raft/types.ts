// Types shared by the Raft core: entries, persistent state, messages and the Ready batch. The core is a pure state
// machine in etcd/raft's shape; nothing here touches a clock, a socket or a file.

/** A node's id. The empty string means "no node" (no leader, no vote). */
export type NodeId = string;
export const NONE: NodeId = '';

/** `normal` entries carry application data; `conf` entries carry a membership change (see membership.ts). */
export type EntryType = 'normal' | 'conf';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to Raft; the application's encoding (JSON in this project). Empty for the leader's no-op entry. */
  readonly data: string;
}

/** What must be on disk before any message that depends on it leaves the node. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  /** Membership as of `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The application's state machine image, opaque to Raft. */
  readonly data: string;
}

export type MessageType =
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snap'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

export const MESSAGE_TYPES: readonly MessageType[] = [
  'app',
  'appResp',
  'vote',
  'voteResp',
  'preVote',
  'preVoteResp',
  'heartbeat',
  'heartbeatResp',
  'snap',
  'timeoutNow',
  'readIndex',
  'readIndexResp',
];

/** One flat message shape for every type, like etcd's raftpb.Message; unused fields stay at their zero value. */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** app: term of the entry at `index`; vote: candidate's last term; appResp reject: term at `rejectHint`. */
  readonly logTerm: number;
  /** app: index preceding `entries`; vote: candidate's last index; appResp: highest matched or rejected index. */
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly snapshot?: Snapshot | undefined;
  /** heartbeat/readIndex: the read request's context; vote: 'transfer' when forced by leadership transfer. */
  readonly context?: string | undefined;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/** A linearizable read may be served once the local state machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/**
 * One batch of work for the caller. The contract (etcd's): persist `hardState`, `entries` and `snapshot` durably
 * (fsync) FIRST, then send `messages`, then install `snapshot` and apply `committedEntries` in order, then call
 * `advance(ready)`. Only one Ready may be outstanding at a time.
 */
export interface Ready {
  readonly softState: SoftState;
  /** Present only when term, vote or commit changed since the last Ready. */
  readonly hardState?: HardState | undefined;
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader; it replaces the whole log. */
  readonly snapshot?: Snapshot | undefined;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
}

/** The only source of randomness inside the core; seeded by the caller so runs replay exactly. */
export interface Rng {
  /** An integer in [0, maxExclusive). */
  nextInt(maxExclusive: number): number;
}

export interface RaftConfig {
  readonly id: NodeId;
  /** Election timeout in ticks; the randomized timeout is drawn from [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly rng: Rng;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Append messages in flight to one follower in the replicate state. */
  readonly inflightMessagesMax: number;
  readonly entriesPerMessageMax: number;
  /** Committed entries handed out in one Ready. */
  readonly applyEntriesMax: number;
}

export class RaftError extends Error {
  constructor(
    message: string,
    readonly code: 'not-leader' | 'transferring' | 'conf-pending' | 'no-commit-in-term' | 'bad-conf-change' | 'invalid',
  ) {
    super(message);
    this.name = 'RaftError';
  }
}

/** Invariant failure: a bug, never an operating error. Crash loudly (TigerStyle). */
export function invariant(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`raft invariant violated: ${what}`);
}

export function makeMessage(m: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message {
  return { logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...m };
}

// The Raft state machine proper: roles and their transitions, ticks, and the dispatch of incoming messages by term
// and role. Replication, election, membership and reads live in their own files; this class holds the state they
// share. No clock, no I/O: the caller drives it through RaftNode (node.ts).
import { campaign, handleVoteRequest, handleVoteResponse } from './election.js';
import { RaftLog } from './log.js';
import { applyChange, type ConfChange, currentConf, encodeConfEntry } from './membership.js';
import { ProgressTracker } from './progress.js';
import { ReadOnlyQueue } from './read-index.js';
import {
  appendEntries,
  bcastAppend,
  bcastHeartbeat,
  handleAppendEntries,
  handleAppendResp,
  handleHeartbeat,
  handleHeartbeatResp,
  handleSnapshot,
  sendAppend,
} from './replication.js';
import {
  type Entry,
  type HardState,
  type Message,
  makeMessage,
  NONE,
  type NodeId,
  type RaftConfig,
  RaftError,
  type ReadState,
  type Role,
  type Snapshot,
  type SnapshotMeta,
} from './types.js';

export const READS_PENDING_MAX = 1024;

export interface RaftInit {
  readonly hardState: HardState;
  readonly snapshot?: Snapshot | undefined;
  /** Used when there is no snapshot: the cluster's initial voters (the same on every founding node). */
  readonly bootstrapVoters: readonly NodeId[];
  readonly entries: readonly Entry[];
}

export class Raft {
  readonly id: NodeId;
  term: number;
  vote: NodeId;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId = NONE;
  /** Index of the latest conf entry the leader appended; no new change until it is committed. */
  pendingConfIndex = 0;
  readonly readOnly = new ReadOnlyQueue(READS_PENDING_MAX);
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** The latest snapshot, sent to followers whose next entries were compacted. */
  snapshot: Snapshot | undefined;
  private confKey = '';

  constructor(
    readonly cfg: RaftConfig,
    init: RaftInit,
  ) {
    this.id = cfg.id;
    this.tracker = new ProgressTracker(cfg.inflightMessagesMax);
    const meta: SnapshotMeta = init.snapshot?.meta ?? { index: 0, term: 0, conf: { voters: init.bootstrapVoters } };
    this.snapshot = init.snapshot;
    this.log = new RaftLog(meta, init.entries, init.hardState.commit);
    this.term = init.hardState.term;
    this.vote = init.hardState.vote;
    this.syncConfig();
    this.becomeFollower(this.term, NONE);
  }

  send(m: Partial<Message> & Pick<Message, 'type' | 'to'>): void {
    this.msgs.push(makeMessage({ from: this.id, term: this.term, ...m }));
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** Re-reads membership from the log after any change to it and keeps one Progress per voter. */
  syncConfig(): void {
    const last = this.log.lastConfEntry();
    const key = last ? `${last.index}/${last.term}` : `snap${this.log.snapshotMeta.index}`;
    if (key === this.confKey) return;
    this.confKey = key;
    const voters = new Set(currentConf(this.log).voters);
    this.tracker.voters = voters;
    for (const id of [...this.tracker.progress.keys()]) {
      if (!voters.has(id) && id !== this.id) this.tracker.progress.delete(id);
    }
    for (const id of voters) {
      if (!this.tracker.progress.has(id))
        this.tracker.progress.set(id, this.tracker.newProgress(this.log.lastIndex() + 1));
    }
    if (this.leadTransferee !== NONE && !voters.has(this.leadTransferee)) this.leadTransferee = NONE;
  }

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTicks + this.cfg.rng.nextInt(this.cfg.electionTicks);
    this.leadTransferee = NONE;
    this.tracker.votes.clear();
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    const last = this.log.lastIndex();
    for (const id of [...this.tracker.progress.keys()]) {
      const fresh = this.tracker.newProgress(last + 1);
      if (id === this.id) fresh.match = last;
      this.tracker.progress.set(id, fresh);
    }
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    // Neither the term nor the vote changes: a pre-vote leaves no trace on disk.
    this.tracker.votes.clear();
    this.lead = NONE;
    this.role = 'preCandidate';
  }

  becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) pr.becomeReplicate();
    }
    // Entries from earlier terms may hide an uncommitted conf change: no new change until all of them commit.
    this.pendingConfIndex = this.log.lastIndex();
    appendEntries(this, [{ type: 'normal', data: '' }]);
    bcastAppend(this);
  }

  promotable(): boolean {
    return this.tracker.voters.has(this.id) && this.log.pendingSnapshot === undefined;
  }

  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.term, NONE);
          return;
        }
        for (const [id, pr] of this.tracker.progress) pr.recentActive = id === this.id;
      }
      this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this, this.readOnly.lastPendingContext());
    }
  }

  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    if (transfer) campaign(this, 'transfer');
    else campaign(this, this.cfg.preVote ? 'pre' : 'election');
  }

  step(m: Message): void {
    if (!this.reconcileTerm(m)) return;
    if (m.type === 'vote' || m.type === 'preVote') {
      handleVoteRequest(this, m);
      return;
    }
    if (this.role === 'leader') this.stepLeader(m);
    else if (this.role === 'follower') this.stepFollower(m);
    else this.stepCandidate(m);
  }

  /** Applies the term rules of §5.1 (with etcd's pre-vote and lease refinements); false drops the message. */
  private reconcileTerm(m: Message): boolean {
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        // The lease ends one tick before the shortest election timeout: a candidate whose timer fired at exactly
        // electionTicks must not lose its pre-vote to a peer whose tick phase lags (measured: it cost a whole extra
        // election round in the failover tail). Leases only guard against disruption here; reads never rely on them.
        const leaseTicks = this.cfg.electionTicks - 1;
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < leaseTicks;
        // While we hear from a live leader we ignore disruptive candidates, unless the leader asked for the transfer.
        if (inLease && m.context !== 'transfer') return false;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) return true;
      const fromLeader = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap';
      this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      return true;
    }
    if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // Tell a stale leader about the newer term so it steps down (it may be cut off by pre-vote otherwise).
        this.send({ type: 'appResp', to: m.from });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, reject: true });
      }
      return false;
    }
    return true;
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'appResp':
        handleAppendResp(this, m);
        return;
      case 'heartbeatResp':
        handleHeartbeatResp(this, m);
        if (m.context !== undefined) this.ackRead(m.from, m.context);
        return;
      case 'readIndex':
        this.serveReadIndex(m.context ?? '', m.from);
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
      case 'heartbeat':
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case 'preVoteResp':
      case 'voteResp':
        handleVoteResponse(this, m);
        return;
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.heardFromLeader(m.from);
        handleAppendEntries(this, m);
        return;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        handleHeartbeat(this, m);
        return;
      case 'snap':
        this.heardFromLeader(m.from);
        handleSnapshot(this, m);
        return;
      case 'timeoutNow':
        this.hup(true);
        return;
      case 'readIndexResp':
        this.readStates.push({ index: m.index, context: m.context ?? '' });
        return;
      default:
        return;
    }
  }

  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.lead = from;
  }

  propose(data: string): number {
    this.checkCanPropose();
    const index = appendEntries(this, [{ type: 'normal', data }]);
    bcastAppend(this);
    return index;
  }

  proposeConfChange(cc: ConfChange): number {
    this.checkCanPropose();
    if (this.pendingConfIndex > this.log.committed) {
      throw new RaftError(`a membership change (index ${this.pendingConfIndex}) is still uncommitted`, 'conf-pending');
    }
    if (this.log.term(this.log.committed) !== this.term) {
      throw new RaftError('the leader has not yet committed an entry in its term', 'no-commit-in-term');
    }
    const voters = applyChange(this.tracker.voters, cc);
    const index = appendEntries(this, [{ type: 'conf', data: encodeConfEntry(cc, voters) }]);
    this.pendingConfIndex = index;
    bcastAppend(this);
    return index;
  }

  private checkCanPropose(): void {
    if (this.role !== 'leader') throw new RaftError(`not the leader (leader: ${this.lead || 'unknown'})`, 'not-leader');
    if (this.leadTransferee !== NONE) {
      throw new RaftError(`leadership is moving to ${this.leadTransferee}`, 'transferring');
    }
  }

  /** §3.10: catch the target up, then tell it to campaign at once (TimeoutNow). */
  transferLeadership(to: NodeId): void {
    if (this.role !== 'leader') throw new RaftError('not the leader', 'not-leader');
    if (to === this.id || !this.tracker.voters.has(to)) {
      throw new RaftError(`transfer target ${to} is not another voter`, 'invalid');
    }
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.tracker.progress.get(to);
    if (pr && pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', to });
    else sendAppend(this, to, true);
  }

  /** Starts a linearizable read; the result appears as a ReadState (here or, via the leader, at a follower). */
  readIndex(context: string): void {
    if (this.role === 'leader') {
      this.serveReadIndex(context, this.id);
      return;
    }
    if (this.lead === NONE) throw new RaftError('no known leader for a read', 'not-leader');
    this.send({ type: 'readIndex', to: this.lead, context });
  }

  private serveReadIndex(context: string, from: NodeId): void {
    // §6.4 step 1: until an entry of this term commits, our commit index may be behind the previous leader's.
    if (this.log.term(this.log.committed) !== this.term) {
      if (from === this.id)
        throw new RaftError('the leader has not yet committed an entry in its term', 'no-commit-in-term');
      return;
    }
    const index = this.log.committed;
    if (this.tracker.quorum() === 1 && this.tracker.voters.has(this.id)) {
      this.releaseRead({ context, index, from });
      return;
    }
    if (!this.readOnly.add(context, index, from, this.id)) return;
    bcastHeartbeat(this, context);
  }

  private ackRead(from: NodeId, context: string): void {
    const acks = this.readOnly.recvAck(from, context);
    if (!acks || this.tracker.countIn(acks) < this.tracker.quorum()) return;
    for (const r of this.readOnly.advance(context)) this.releaseRead(r);
  }

  private releaseRead(r: { context: string; index: number; from: NodeId }): void {
    if (r.from === this.id) this.readStates.push({ index: r.index, context: r.context });
    else this.send({ type: 'readIndexResp', to: r.from, index: r.index, context: r.context });
  }
}

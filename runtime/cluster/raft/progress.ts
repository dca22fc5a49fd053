// The leader's view of each follower (etcd's Progress: probe, replicate, snapshot) and the tracker that holds the
// voter set, the quorum arithmetic and the vote tally (a map keyed by voter, so a duplicated vote counts once).
import type { NodeId } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Append messages in flight to one follower, by their last index; bounded by `sizeMax`. */
export class Inflights {
  private readonly buf: number[] = [];
  constructor(private readonly sizeMax: number) {}

  add(lastIndex: number): void {
    this.buf.push(lastIndex);
  }

  freeLE(index: number): void {
    let n = 0;
    while (n < this.buf.length && this.buf[n]! <= index) n++;
    this.buf.splice(0, n);
  }

  freeFirstOne(): void {
    this.buf.shift();
  }

  full(): boolean {
    return this.buf.length >= this.sizeMax;
  }

  reset(): void {
    this.buf.length = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state, one append is outstanding; paused until a response or heartbeat response. */
  probeSent = false;
  pendingSnapshot = 0;
  /** Heard from within the current election timeout (check-quorum). */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(next: number, inflightMax: number) {
    this.next = next;
    this.inflights = new Inflights(inflightMax);
  }

  private reset(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    const pending = this.state === 'snapshot' ? this.pendingSnapshot : 0;
    this.reset('probe');
    this.next = Math.max(this.match + 1, pending + 1);
  }

  becomeReplicate(): void {
    this.reset('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.reset('snapshot');
    this.pendingSnapshot = index;
  }

  /** A successful append response for `index`; returns whether match moved. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected`, with the follower's hint. Returns false for a stale rejection
   * (one that answers an append we have already moved past).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    if (this.state === 'probe') return this.probeSent;
    if (this.state === 'replicate') return this.inflights.full();
    return true;
  }
}

export type VoteResult = 'won' | 'lost' | 'pending';

export class ProgressTracker {
  voters: ReadonlySet<NodeId> = new Set();
  /** Progress of every voter, plus the leader itself while it is being removed. */
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly inflightMax: number) {}

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  newProgress(next: number): Progress {
    return new Progress(next, this.inflightMax);
  }

  /** The highest index replicated on a quorum of voters. */
  committedIndex(): number {
    const matches: number[] = [];
    for (const id of this.voters) matches.push(this.progress.get(id)?.match ?? 0);
    matches.sort((a, b) => b - a);
    return matches[this.quorum() - 1] ?? 0;
  }

  /** Records the first answer of a voter; later duplicates (and non-voters) are ignored. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.voters.has(id) || this.votes.has(id)) return;
    this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    let granted = 0;
    let rejected = 0;
    for (const [id, v] of this.votes) {
      if (!this.voters.has(id)) continue;
      if (v) granted++;
      else rejected++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (rejected > this.voters.size - q) return 'lost';
    return 'pending';
  }

  /** Check-quorum: have a quorum of voters (counting `self`) been heard from recently? */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === self || this.progress.get(id)?.recentActive) active++;
    }
    return active >= this.quorum();
  }

  countIn(ids: ReadonlySet<NodeId>): number {
    let n = 0;
    for (const id of ids) if (this.voters.has(id)) n++;
    return n;
  }
}

// Runs one Raft node for real: a tick timer, durable storage and a transport around the pure core. Every Ready is
// handled in the order the core requires: persist (fsync) -> send -> install snapshot / apply -> advance, one Ready at
// a time. Proposals resolve when their entry is applied here; reads resolve after a ReadIndex round once the local
// state machine has caught up, so they are linearizable; a read during an election waits for the next leader
// (read-barrier.ts).
import { DEFAULT_RAFT_CONFIG, RaftNode, type RaftStatus } from '../raft/node.js';
import { SeededRng } from '../raft/prng.js';
import type { Entry, Message, NodeId, RaftConfig, Ready, Snapshot } from '../raft/types.js';
import { FileStorage } from '../storage/file-storage.js';
import { noLeaderError, ReadBarrier } from './read-barrier.js';

export interface HostTransport {
  start(): Promise<void>;
  stop(): Promise<void>;
  send(m: Message): void;
}

export interface RaftHostOptions {
  readonly id: NodeId;
  /** Founding voters; ignored once the node has state on disk. A joining node passes []. */
  readonly bootstrapVoters: readonly NodeId[];
  readonly storageDir: string;
  readonly tickMs: number;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'rng'>> | undefined;
  /** Seed for election jitter (default: random). */
  readonly seed?: number | undefined;
  readonly transport: (onMessage: (m: Message) => void) => HostTransport;
  /** Applies committed entries (normal and conf) in order; deterministic, and it must not throw (a throw stops the node). */
  readonly apply: (entries: readonly Entry[]) => void;
  /** Replaces the state machine with a snapshot image. */
  readonly restore: (data: string) => void;
  /** Captures the state machine; with `snapshotEvery` the log is compacted after that many applied entries. */
  readonly capture?: (() => string) | undefined;
  readonly snapshotEvery?: number | undefined;
  /** How long a proposal or read may wait, ms (default 5000). */
  readonly requestTimeoutMs?: number | undefined;
  /** How long a read or whenLeader() waits for a leader during an election, ms (default: requestTimeoutMs). */
  readonly leaderWaitMs?: number | undefined;
  readonly onError?: ((err: unknown) => void) | undefined;
}

const REQUEST_TIMEOUT_MS_DEFAULT = 5000;
/** linearizable reads waiting at once on one node */
const READS_PENDING_MAX = 1024;

/** calls waiting at once for a leader to be known (whenLeader) */
const LEADER_WAITERS_MAX = 1024;

interface LeaderWaiter {
  readonly resolve: (leader: NodeId) => void;
  readonly reject: (e: Error) => void;
  readonly deadline: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class RaftHost {
  private node: RaftNode | undefined;
  private storage: FileStorage | undefined;
  private transport: HostTransport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private processing = false;
  private again = false;
  private applied = 0;
  private snapshotIndex = 0;
  private readonly proposals = new Map<number, Waiter & { term: number }>();
  private readonly reads: ReadBarrier;
  private readonly leaderWaitMs: number;
  private readonly leaderWaiters = new Set<LeaderWaiter>();
  private readonly readyReads: { index: number; context: string }[] = [];

  constructor(private readonly opts: RaftHostOptions) {
    if (!Number.isInteger(opts.tickMs) || opts.tickMs < 1) throw new TypeError('tickMs must be a positive integer');
    const timeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT;
    const electionTicks = opts.raft?.electionTicks ?? DEFAULT_RAFT_CONFIG.electionTicks;
    this.leaderWaitMs = opts.leaderWaitMs ?? timeoutMs;
    this.reads = new ReadBarrier({
      id: opts.id,
      issue: (context) => this.requireNode().readIndex(context),
      view: () => this.node?.basicStatus(),
      timeoutMs,
      leaderWaitMs: this.leaderWaitMs,
      // a heartbeat round answers well within an election timeout; past it the round was most likely dropped
      reissueMs: electionTicks * opts.tickMs,
      readsPendingMax: READS_PENDING_MAX,
    });
  }

  async start(): Promise<void> {
    if (this.node) return;
    const storage = new FileStorage({ dir: this.opts.storageDir });
    const state = await storage.open();
    const cfg = { ...DEFAULT_RAFT_CONFIG, ...this.opts.raft, id: this.opts.id };
    const rng = new SeededRng(this.opts.seed ?? Math.floor(Math.random() * 2 ** 31));
    const node = new RaftNode({ ...cfg, rng }, { ...state, bootstrapVoters: this.opts.bootstrapVoters });
    if (state.snapshot) this.opts.restore(state.snapshot.data);
    this.applied = state.snapshot?.meta.index ?? 0;
    this.snapshotIndex = this.applied;
    this.storage = storage;
    this.node = node;
    this.transport = this.opts.transport((m) => this.onMessage(m));
    await this.transport.start();
    this.timer = setInterval(() => {
      this.node?.tick();
      this.reads.poll();
      this.pollLeaderWaiters();
      this.kick();
    }, this.opts.tickMs);
  }

  async stop(): Promise<void> {
    const { node, storage, transport } = this;
    if (!node) return;
    this.node = undefined;
    clearInterval(this.timer);
    for (const w of this.proposals.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('raft host stopped'));
    }
    this.proposals.clear();
    this.reads.rejectAll(new Error('raft host stopped'));
    for (const w of this.leaderWaiters) w.reject(new Error('raft host stopped'));
    this.leaderWaiters.clear();
    await transport?.stop();
    while (this.processing) await new Promise((r) => setTimeout(r, 5));
    await storage?.close();
  }

  status(): RaftStatus | undefined {
    return this.node?.status();
  }

  /** Resolves once `data` is committed and applied on this node; rejects on this node's refusal or timeout. */
  propose(data: string): Promise<number> {
    let node: RaftNode;
    let index: number;
    try {
      node = this.requireNode();
      index = node.propose(data);
    } catch (e) {
      return Promise.reject(e);
    }
    const term = node.basicStatus().term;
    const p = this.wait(this.proposals, index, `commit of index ${index}`, { term }).then(() => index);
    this.kick();
    return p;
  }

  /**
   * A linearizable read barrier: resolves when this node's state machine reflects every write acknowledged before.
   * During an election it waits for the next leader (at most leaderWaitMs) rather than failing at once.
   */
  read(): Promise<void> {
    const p = this.reads.read();
    this.kick();
    return p;
  }

  /** The leader this node knows; during an election it waits for the next one, at most leaderWaitMs. */
  whenLeader(): Promise<NodeId> {
    const leader = this.node?.basicStatus().leader;
    if (leader) return Promise.resolve(leader);
    if (!this.node) return Promise.reject(new Error('raft host not started'));
    if (this.leaderWaiters.size >= LEADER_WAITERS_MAX) {
      return Promise.reject(
        new Error(`too many calls waiting for a leader (${LEADER_WAITERS_MAX}) [node=${this.opts.id}]`),
      );
    }
    return new Promise<NodeId>((resolve, reject) => {
      this.leaderWaiters.add({ resolve, reject, deadline: Date.now() + this.leaderWaitMs });
    });
  }

  private pollLeaderWaiters(now = Date.now()): void {
    if (this.leaderWaiters.size === 0) return;
    const leader = this.node?.basicStatus().leader;
    for (const w of this.leaderWaiters) {
      if (leader) w.resolve(leader);
      else if (now >= w.deadline) w.reject(noLeaderError(this.opts.id, this.leaderWaitMs, 'known'));
      else continue;
      this.leaderWaiters.delete(w);
    }
  }

  transferLeadership(to: NodeId): void {
    this.requireNode().transferLeadership(to);
    this.kick();
  }

  proposeConfChange(cc: Parameters<RaftNode['proposeConfChange']>[0]): Promise<number> {
    const node = this.requireNode();
    const index = node.proposeConfChange(cc);
    const term = node.basicStatus().term;
    const p = this.wait(this.proposals, index, `commit of conf change ${index}`, { term }).then(() => index);
    this.kick();
    return p;
  }

  private wait<K>(map: Map<K, Waiter & object>, key: K, what: string, extra: object): Promise<void> {
    const ms = this.opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        map.delete(key);
        reject(new Error(`Timeout after ${ms} ms waiting for ${what} [node=${this.opts.id}]`));
      }, ms);
      map.set(key, { resolve, reject, timer, ...extra });
    });
  }

  private requireNode(): RaftNode {
    if (!this.node) throw new Error('raft host not started');
    return this.node;
  }

  private onMessage(m: Message): void {
    if (!this.node || m.to !== this.opts.id) return;
    this.node.step(m);
    this.kick();
  }

  /** Schedules Ready processing; one pass at a time, re-run if work arrived meanwhile. */
  private kick(): void {
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = true;
    void this.process()
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => {
        this.processing = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async process(): Promise<void> {
    while (this.node?.hasReady()) {
      const node = this.node;
      const rd = node.ready();
      await this.storage!.saveReady(rd); // durable before anything that depends on it leaves
      if (this.node !== node) return;
      for (const m of rd.messages) this.transport?.send(m);
      this.applyReady(rd);
      node.advance(rd);
      await this.maybeCompact(node);
    }
  }

  private applyReady(rd: Ready): void {
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    if (rd.committedEntries.length > 0) {
      this.opts.apply(rd.committedEntries);
      for (const e of rd.committedEntries) this.settleProposal(e);
      this.applied = rd.committedEntries.at(-1)!.index;
    }
    this.readyReads.push(...rd.readStates);
    for (let i = this.readyReads.length - 1; i >= 0; i--) {
      const rs = this.readyReads[i]!;
      if (rs.index > this.applied) continue;
      this.readyReads.splice(i, 1);
      this.reads.release(rs.context);
    }
  }

  private installSnapshot(s: Snapshot): void {
    this.opts.restore(s.data);
    this.applied = s.meta.index;
    this.snapshotIndex = s.meta.index;
  }

  private settleProposal(e: Entry): void {
    const w = this.proposals.get(e.index);
    if (!w) return;
    this.proposals.delete(e.index);
    clearTimeout(w.timer);
    if (e.term === w.term) w.resolve();
    else w.reject(new Error(`entry ${e.index} was replaced by a newer leader's entry (term ${e.term})`));
  }

  private async maybeCompact(node: RaftNode): Promise<void> {
    const every = this.opts.snapshotEvery;
    if (!every || !this.opts.capture || this.applied - this.snapshotIndex < every) return;
    const snap = node.compact(this.applied, this.opts.capture());
    this.snapshotIndex = snap.meta.index;
    await this.storage!.compact(snap);
  }
}

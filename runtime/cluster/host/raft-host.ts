// Runs one Raft node for real: a tick timer, durable storage and a transport around the pure core. Every Ready is
// handled in the order the core requires: persist (fsync) -> send -> install snapshot / apply -> advance, one Ready at
// a time. Proposals resolve when their entry is applied here; reads resolve after a ReadIndex round once the local
// state machine has caught up, so they are linearizable.
import { DEFAULT_RAFT_CONFIG, RaftNode, type RaftStatus } from '../raft/node.js';
import { SeededRng } from '../raft/prng.js';
import type { Entry, Message, NodeId, RaftConfig, Ready, Snapshot } from '../raft/types.js';
import { FileStorage } from '../storage/file-storage.js';

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
  /** How long a proposal or read may wait, ms. */
  readonly requestTimeoutMs?: number | undefined;
  readonly onError?: ((err: unknown) => void) | undefined;
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
  private readSeq = 0;
  private readonly proposals = new Map<number, Waiter & { term: number }>();
  private readonly reads = new Map<string, Waiter>();
  private readonly readyReads: { index: number; context: string }[] = [];

  constructor(private readonly opts: RaftHostOptions) {
    if (!Number.isInteger(opts.tickMs) || opts.tickMs < 1) throw new TypeError('tickMs must be a positive integer');
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
      this.kick();
    }, this.opts.tickMs);
  }

  async stop(): Promise<void> {
    const { node, storage, transport } = this;
    if (!node) return;
    this.node = undefined;
    clearInterval(this.timer);
    for (const w of [...this.proposals.values(), ...this.reads.values()]) {
      clearTimeout(w.timer);
      w.reject(new Error('raft host stopped'));
    }
    this.proposals.clear();
    this.reads.clear();
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

  /** A linearizable read barrier: resolves when this node's state machine reflects every write acknowledged before. */
  read(): Promise<void> {
    const context = `${this.opts.id}-${++this.readSeq}`;
    try {
      this.requireNode().readIndex(context);
    } catch (e) {
      return Promise.reject(e);
    }
    const p = this.wait(this.reads, context, `read ${context}`, {});
    this.kick();
    return p;
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
    const ms = this.opts.requestTimeoutMs ?? 5000;
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
      const w = this.reads.get(rs.context);
      if (!w) continue;
      this.reads.delete(rs.context);
      clearTimeout(w.timer);
      w.resolve();
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

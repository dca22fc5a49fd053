// A hand-driven cluster for scenario tests that need exact control (the Raft paper's figure 8, duplicated votes,
// old-term messages): no clock at all, elections only when a test calls campaign(), and every message either
// delivered or dropped by the test's filter. Nodes follow the production contract (persist, send, apply) and every
// apply feeds the same SafetyChecker as the randomized simulation.
import { DEFAULT_RAFT_CONFIG, RaftNode } from '../../runtime/cluster/raft/node.js';
import { SeededRng } from '../../runtime/cluster/raft/prng.js';
import type { Entry, Message, NodeId, RaftConfig, ReadState } from '../../runtime/cluster/raft/types.js';
import { SafetyChecker } from '../../runtime/cluster/sim/invariants.js';
import { SimStorage } from '../../runtime/cluster/sim/sim-storage.js';

interface ManualNode {
  raft: RaftNode | undefined;
  readonly storage: SimStorage;
  readonly applied: Entry[];
  readonly reads: ReadState[];
}

export class ManualCluster {
  readonly nodes = new Map<NodeId, ManualNode>();
  readonly safety = new SafetyChecker();
  /** Every message ever sent, for replaying old ones. */
  readonly sent: Message[] = [];
  private queue: Message[] = [];
  private readonly rng = new SeededRng(7);

  constructor(
    readonly ids: readonly NodeId[],
    private readonly cfg: Partial<RaftConfig> = {},
  ) {
    for (const id of ids) {
      this.nodes.set(id, { raft: undefined, storage: new SimStorage(), applied: [], reads: [] });
      this.restart(id);
    }
  }

  raft(id: NodeId): RaftNode {
    const r = this.nodes.get(id)?.raft;
    if (!r) throw new Error(`${id} is down`);
    return r;
  }

  restart(id: NodeId): void {
    const n = this.nodes.get(id)!;
    const state = n.storage.load();
    n.raft = new RaftNode(
      { ...DEFAULT_RAFT_CONFIG, checkQuorum: false, ...this.cfg, id, rng: new SeededRng(this.rng.nextInt(1e9)) },
      { ...state, bootstrapVoters: this.ids },
    );
    this.safety.resetApplied(id, state.snapshot?.meta.index ?? 0);
  }

  crash(id: NodeId): void {
    const n = this.nodes.get(id)!;
    n.storage.crash(this.rng);
    n.raft = undefined;
  }

  /** Processes every up node's Ready (persist, send to the queue, apply). */
  process(): void {
    for (const [id, n] of this.nodes) {
      while (n.raft?.hasReady()) {
        const raft = n.raft;
        const rd = raft.ready();
        n.storage.save(rd, true);
        for (const m of rd.messages) {
          this.queue.push(m);
          this.sent.push(m);
        }
        for (const e of rd.committedEntries) {
          this.safety.observeApply(id, e);
          n.applied.push(e);
        }
        n.reads.push(...rd.readStates);
        raft.advance(rd);
        const st = raft.basicStatus();
        this.safety.observeRole(id, st.role, st.term, st.commit, () => raft.logView());
      }
    }
  }

  /**
   * Delivers queued messages until the network is quiet; `filter` drops a message (false) or replaces it (a message,
   * e.g. an append with its tail cut off).
   */
  flush(filter: (m: Message) => boolean | Message = () => true, roundsMax = 100): void {
    for (let i = 0; i < roundsMax; i++) {
      this.process();
      const batch = this.queue;
      this.queue = [];
      if (batch.length === 0) return;
      for (const m of batch) {
        const to = this.nodes.get(m.to)?.raft;
        const f = filter(m);
        if (to && f !== false) to.step(f === true ? m : f);
      }
    }
  }

  /** Delivers one message directly (a duplicate or an old one). */
  deliver(m: Message): void {
    this.raft(m.to).step(m);
  }

  /** Drops what is queued. */
  drop(): void {
    this.process();
    this.queue = [];
  }

  campaign(id: NodeId): void {
    this.raft(id).campaign();
  }

  reads(id: NodeId): readonly ReadState[] {
    return this.nodes.get(id)!.reads;
  }

  lastTermAt(id: NodeId, index: number): number | undefined {
    return this.raft(id).logView().term(index);
  }
}

/** Only messages between nodes of `group`. */
export const within =
  (...group: NodeId[]) =>
  (m: Message): boolean =>
    group.includes(m.from) && group.includes(m.to);

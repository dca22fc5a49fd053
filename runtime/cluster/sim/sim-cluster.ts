// A cluster of real Raft cores on a simulated clock and network, each with a simulated disk and the key-value state
// machine. Everything (election jitter, network faults, crash points, torn writes) draws from one seeded PRNG, so a
// seed replays exactly. Each node follows the production contract: persist the Ready, then send, then apply.
import type { ConfChange } from '../raft/membership.js';
import { DEFAULT_RAFT_CONFIG, RaftNode } from '../raft/node.js';
import { SeededRng } from '../raft/prng.js';
import { type Entry, type Message, type NodeId, RaftError, type Ready } from '../raft/types.js';
import { SafetyChecker } from './invariants.js';
import { type KvCommand, type KvInput, type KvOutput, KvStore } from './kv.js';
import { type NetworkFaults, SimNetwork } from './sim-network.js';
import { SimStorage } from './sim-storage.js';

export interface SimOptions {
  readonly seed: number;
  /** Every node that may ever run. */
  readonly ids: readonly NodeId[];
  /** The founding voters (default: all ids). Others start empty and must be added. */
  readonly voters?: readonly NodeId[] | undefined;
  readonly faults?: Partial<NetworkFaults> | undefined;
  readonly stepsPerTick?: number | undefined;
  readonly electionTicks?: number | undefined;
  /** Compact the log once this many applied entries follow the last snapshot. */
  readonly compactEvery?: number | undefined;
  /** Messages buffered for a paused node. */
  readonly pausedInboxMax?: number | undefined;
}

type Reply = (out: KvOutput) => void;

interface SimNode {
  readonly id: NodeId;
  raft: RaftNode | undefined;
  readonly storage: SimStorage;
  kv: KvStore;
  paused: boolean;
  inbox: Message[];
  crashMidPersist: boolean;
  /** Crash right after the next persisted-and-sent vote (targets vote durability). */
  crashAfterVote: boolean;
  readonly tickOffset: number;
  readonly proposals: Map<string, Reply>;
  readonly reads: Map<string, { key: string; reply: Reply }>;
  readyReads: { index: number; context: string }[];
}

export class SimCluster {
  now = 0;
  readonly rng: SeededRng;
  readonly net: SimNetwork;
  readonly safety = new SafetyChecker();
  readonly nodes = new Map<NodeId, SimNode>();
  private readonly voters: readonly NodeId[];
  private readonly stepsPerTick: number;
  private readonly electionTicks: number;
  private readonly compactEvery: number;
  private readonly pausedInboxMax: number;
  crashes = 0;
  snapshotsInstalled = 0;
  /** Stops the run on the first exception inside the core (an invariant() failure). */
  fatal: string | undefined;

  constructor(readonly opts: SimOptions) {
    this.rng = new SeededRng(opts.seed);
    this.net = new SimNetwork(this.rng, {
      lossRate: 0,
      duplicateRate: 0,
      replayRate: 0,
      delayMinSteps: 1,
      delayMaxSteps: 3,
      ...opts.faults,
    });
    this.voters = opts.voters ?? opts.ids;
    this.stepsPerTick = opts.stepsPerTick ?? 5;
    this.electionTicks = opts.electionTicks ?? 10;
    this.compactEvery = opts.compactEvery ?? 50;
    this.pausedInboxMax = opts.pausedInboxMax ?? 512;
    for (const id of opts.ids) {
      const n: SimNode = {
        id,
        raft: undefined,
        storage: new SimStorage(),
        kv: new KvStore(),
        paused: false,
        inbox: [],
        crashMidPersist: false,
        crashAfterVote: false,
        tickOffset: this.rng.nextInt(this.stepsPerTick),
        proposals: new Map(),
        reads: new Map(),
        readyReads: [],
      };
      this.nodes.set(id, n);
      this.boot(n);
    }
  }

  private boot(n: SimNode): void {
    const state = n.storage.load();
    n.raft = new RaftNode(
      {
        ...DEFAULT_RAFT_CONFIG,
        id: n.id,
        electionTicks: this.electionTicks,
        heartbeatTicks: Math.max(1, Math.floor(this.electionTicks / 5)),
        entriesPerMessageMax: 16,
        inflightMessagesMax: 8,
        rng: new SeededRng(this.rng.nextInt(2 ** 31)),
      },
      { ...state, bootstrapVoters: this.voters.includes(n.id) ? this.voters : [] },
    );
    n.kv = new KvStore();
    if (state.snapshot) n.kv.restore(state.snapshot.data);
    this.safety.resetApplied(n.id, state.snapshot?.meta.index ?? 0);
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`sim: unknown node ${id}`);
    return n;
  }

  isUp(id: NodeId): boolean {
    const n = this.node(id);
    return n.raft !== undefined && !n.paused;
  }

  /** Advances the clock by one step: deliver, tick, process every node's Ready. */
  step(): void {
    if (this.fatal) return;
    this.now++;
    for (const m of this.net.due(this.now)) this.deliver(m);
    for (const n of this.nodes.values()) {
      if (!n.raft || n.paused || this.now % this.stepsPerTick !== n.tickOffset) continue;
      this.guard(n, () => n.raft!.tick());
    }
    for (const n of this.nodes.values()) this.processReady(n);
  }

  run(steps: number): void {
    for (let i = 0; i < steps && !this.fatal; i++) this.step();
  }

  /** Runs until `pred` holds or `stepsMax` steps pass; returns whether it held. */
  runUntil(pred: () => boolean, stepsMax: number): boolean {
    for (let i = 0; i < stepsMax && !this.fatal; i++) {
      if (pred()) return true;
      this.step();
    }
    return pred();
  }

  private deliver(m: Message): void {
    const n = this.nodes.get(m.to);
    if (!n?.raft) return;
    if (n.paused) {
      if (n.inbox.length < this.pausedInboxMax) n.inbox.push(m);
      return;
    }
    this.guard(n, () => n.raft!.step(m));
  }

  private guard(n: SimNode, f: () => void): void {
    try {
      f();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // A refused request (not leader, change pending...) is an ordinary answer, not a failure.
      if (e instanceof RaftError) return;
      this.fatal = `node ${n.id} at step ${this.now}: ${msg}`;
      this.safety.fail(this.fatal);
    }
  }

  private processReady(n: SimNode): void {
    for (let rounds = 0; n.raft && !n.paused && n.raft.hasReady() && !this.fatal; rounds++) {
      const raft = n.raft;
      const rd = raft.ready();
      if (n.crashMidPersist && (rd.entries.length > 0 || rd.hardState)) {
        // The process dies between write() and fsync(): nothing of this Ready was sent or applied.
        n.storage.save(rd, false);
        this.crash(n.id);
        return;
      }
      n.storage.save(rd, true);
      for (const m of rd.messages) this.net.send(m, this.now);
      if (n.crashAfterVote && rd.messages.some((m) => m.type === 'voteResp' && !m.reject)) {
        this.crash(n.id);
        return;
      }
      this.applyReady(n, rd);
      this.guard(n, () => raft.advance(rd));
      this.observe(n);
      this.maybeCompact(n);
      if (rounds > 1000) throw new Error(`sim: node ${n.id} produced Ready forever`);
    }
    if (n.raft) this.observe(n);
  }

  private applyReady(n: SimNode, rd: Ready): void {
    if (rd.snapshot) {
      n.kv.restore(rd.snapshot.data);
      this.safety.resetApplied(n.id, rd.snapshot.meta.index);
      this.snapshotsInstalled++;
    }
    for (const e of rd.committedEntries) this.applyEntry(n, e);
    for (const rs of rd.readStates) n.readyReads.push(rs);
    this.serveReads(n);
  }

  private applyEntry(n: SimNode, e: Entry): void {
    this.safety.observeApply(n.id, e);
    n.kv.appliedIndex = e.index;
    if (e.type !== 'normal' || e.data === '') return;
    const cmd = JSON.parse(e.data) as KvCommand;
    const out = n.kv.apply(cmd.input);
    const reply = n.proposals.get(cmd.id);
    if (reply) {
      n.proposals.delete(cmd.id);
      reply(out);
    }
  }

  private serveReads(n: SimNode): void {
    if (n.readyReads.length === 0) return;
    const still: { index: number; context: string }[] = [];
    for (const rs of n.readyReads) {
      if (rs.index > n.kv.appliedIndex) {
        still.push(rs);
        continue;
      }
      const r = n.reads.get(rs.context);
      if (r) {
        n.reads.delete(rs.context);
        r.reply(n.kv.get(r.key));
      }
    }
    n.readyReads = still;
  }

  private maybeCompact(n: SimNode): void {
    const raft = n.raft;
    if (!raft) return;
    const applied = n.kv.appliedIndex;
    const snapIndex = raft.logView().firstIndex() - 1;
    if (applied - snapIndex < this.compactEvery) return;
    const snap = raft.compact(applied, n.kv.serialize());
    n.storage.compact(snap);
  }

  private observe(n: SimNode): void {
    const raft = n.raft;
    if (!raft) return;
    const st = raft.basicStatus();
    this.safety.observeRole(n.id, st.role, st.term, st.commit, () => raft.logView());
  }

  /** Kills a node; unsynced writes are lost or torn. */
  crash(id: NodeId): void {
    const n = this.node(id);
    if (!n.raft) return;
    n.storage.crash(this.rng);
    n.raft = undefined;
    n.paused = false;
    n.inbox = [];
    n.crashMidPersist = false;
    n.crashAfterVote = false;
    n.proposals.clear();
    n.reads.clear();
    n.readyReads = [];
    this.crashes++;
  }

  /** Arms a crash at the node's next persist, between write and fsync. */
  crashDuringNextPersist(id: NodeId): void {
    const n = this.node(id);
    if (n.raft) n.crashMidPersist = true;
  }

  restart(id: NodeId): void {
    const n = this.node(id);
    if (n.raft || this.fatal) return;
    try {
      this.boot(n);
    } catch (e) {
      this.fatal = `node ${id} restart at step ${this.now}: ${e instanceof Error ? e.message : String(e)}`;
      this.safety.fail(this.fatal);
    }
  }

  pause(id: NodeId): void {
    const n = this.node(id);
    if (n.raft) n.paused = true;
  }

  resume(id: NodeId): void {
    const n = this.node(id);
    if (!n.paused) return;
    n.paused = false;
    const inbox = n.inbox;
    n.inbox = [];
    for (const m of inbox) this.deliver(m);
  }

  /** The live leader with the highest term, if any. */
  leader(): NodeId | undefined {
    let best: { id: NodeId; term: number } | undefined;
    for (const n of this.nodes.values()) {
      if (!n.raft || n.paused) continue;
      const st = n.raft.basicStatus();
      if (st.role === 'leader' && (!best || st.term > best.term)) best = { id: n.id, term: st.term };
    }
    return best?.id;
  }

  /** Submits a client operation at a node; returns false when it is rejected outright (definitely not applied). */
  submit(id: NodeId, cmdId: string, input: KvInput, viaReadIndex: boolean, reply: Reply): boolean {
    const n = this.node(id);
    const raft = n.raft;
    if (!raft || n.paused || this.fatal) return false;
    // Refuse locally what the core would refuse with an exception (cheaper in a hot loop, same outcome).
    if (!(viaReadIndex && input.op === 'get') && raft.basicStatus().role !== 'leader') return false;
    let accepted = false;
    this.guard(n, () => {
      if (viaReadIndex && input.op === 'get') {
        raft.readIndex(cmdId);
        n.reads.set(cmdId, { key: input.key, reply });
      } else {
        raft.propose(JSON.stringify({ id: cmdId, input } satisfies KvCommand));
        n.proposals.set(cmdId, reply);
      }
      accepted = true;
    });
    this.processReady(n);
    return accepted;
  }

  proposeConfChange(id: NodeId, cc: ConfChange): boolean {
    const n = this.node(id);
    let ok = false;
    if (n.raft && !n.paused) {
      this.guard(n, () => {
        n.raft!.proposeConfChange(cc);
        ok = true;
      });
    }
    this.processReady(n);
    return ok;
  }

  transferLeadership(from: NodeId, to: NodeId): boolean {
    const n = this.node(from);
    let ok = false;
    if (n.raft && !n.paused) {
      this.guard(n, () => {
        n.raft!.transferLeadership(to);
        ok = true;
      });
    }
    this.processReady(n);
    return ok;
  }

  /** Checks log matching over every live node's log; call at quiet points and at the end. */
  checkLogs(): void {
    const views = new Map<NodeId, ReturnType<RaftNode['logView']>>();
    for (const n of this.nodes.values()) if (n.raft) views.set(n.id, n.raft.logView());
    this.safety.checkLogMatching(views);
  }

  /** A leader exists and every voter of its configuration applied its commit index and holds the same state. */
  converged(): boolean {
    const lead = this.leader();
    const lraft = lead === undefined ? undefined : this.node(lead).raft;
    if (!lead || !lraft) return false;
    const ref = `${lraft.basicStatus().commit}:${this.node(lead).kv.serialize()}`;
    for (const id of lraft.status().voters) {
      const n = this.nodes.get(id);
      if (!n?.raft || `${n.raft.basicStatus().commit}:${n.kv.serialize()}` !== ref) return false;
    }
    return true;
  }
}

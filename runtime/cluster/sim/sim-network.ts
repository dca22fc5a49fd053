// Simulated network: per-message random delay (which also reorders), loss, duplication, replay of old messages
// (stale terms), and directional cuts that model symmetric and asymmetric partitions. A cut applies both when a
// message is sent and when it would be delivered, so messages in flight across a new partition are lost too.
import type { SeededRng } from '../raft/prng.js';
import type { Message, NodeId } from '../raft/types.js';

export interface NetworkFaults {
  /** Probability that a message is dropped. */
  lossRate: number;
  /** Probability that a message is delivered twice. */
  duplicateRate: number;
  /** Probability, per sent message, that some older message is delivered again. */
  replayRate: number;
  delayMinSteps: number;
  delayMaxSteps: number;
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly msg: Message;
}

/** Messages remembered for replay; bounded. */
const HISTORY_LENGTH_MAX = 256;

export class SimNetwork {
  private inFlight: InFlight[] = [];
  private readonly cuts = new Set<string>();
  private readonly history: Message[] = [];
  private seq = 0;
  sent = 0;
  dropped = 0;

  constructor(
    private readonly rng: SeededRng,
    public faults: NetworkFaults,
  ) {}

  send(m: Message, now: number): void {
    this.sent++;
    if (this.history.length >= HISTORY_LENGTH_MAX) this.history[this.rng.nextInt(HISTORY_LENGTH_MAX)] = m;
    else this.history.push(m);
    if (this.isCut(m.from, m.to) || this.rng.chance(this.faults.lossRate)) {
      this.dropped++;
      return;
    }
    this.enqueue(m, now);
    if (this.rng.chance(this.faults.duplicateRate)) this.enqueue(m, now);
    if (this.history.length > 0 && this.rng.chance(this.faults.replayRate)) {
      this.enqueue(this.rng.pick(this.history), now);
    }
  }

  /** Delivers the message unchanged later; used by scenarios to inject crafted or stale messages. */
  inject(m: Message, now: number): void {
    this.enqueue(m, now);
  }

  private enqueue(m: Message, now: number): void {
    const { delayMinSteps: lo, delayMaxSteps: hi } = this.faults;
    const at = now + lo + this.rng.nextInt(Math.max(1, hi - lo + 1));
    this.inFlight.push({ at, seq: this.seq++, msg: m });
  }

  /** Messages due at `now`, in delivery order; cut links swallow theirs. */
  due(now: number): Message[] {
    if (this.inFlight.length === 0) return [];
    const ready: InFlight[] = [];
    const later: InFlight[] = [];
    for (const f of this.inFlight) (f.at <= now ? ready : later).push(f);
    if (ready.length === 0) return [];
    this.inFlight = later;
    ready.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return ready.filter((f) => !this.isCut(f.msg.from, f.msg.to)).map((f) => f.msg);
  }

  /** Cuts the link from `a` to `b` (one direction). */
  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}>${b}`);
  }

  cutBoth(a: NodeId, b: NodeId): void {
    this.cut(a, b);
    this.cut(b, a);
  }

  /** Splits into groups; links between groups are cut both ways. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (const g of groups) {
      for (const h of groups) {
        if (g === h) continue;
        for (const a of g) for (const b of h) this.cut(a, b);
      }
    }
  }

  isolate(id: NodeId, all: readonly NodeId[]): void {
    for (const o of all) if (o !== id) this.cutBoth(id, o);
  }

  heal(): void {
    this.cuts.clear();
  }

  isCut(a: NodeId, b: NodeId): boolean {
    return this.cuts.size > 0 && this.cuts.has(`${a}>${b}`);
  }

  inFlightCount(): number {
    return this.inFlight.length;
  }
}

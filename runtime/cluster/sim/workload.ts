// Client workload for the simulation: a few clients, each with one operation at a time (put, get, compare-and-set)
// on a few keys, recorded as a history for the linearizability checker. A rejected request definitely did not apply
// and is left out; one that times out may or may not have applied and is recorded with an unknown outcome.
import type { SeededRng } from '../raft/prng.js';
import type { NodeId } from '../raft/types.js';
import type { KvInput, KvOutput } from './kv.js';
import type { KvOperation } from './kv-model.js';
import type { SimCluster } from './sim-cluster.js';

export interface WorkloadOptions {
  readonly clients: number;
  readonly keys: number;
  readonly opTimeoutSteps: number;
  readonly thinkStepsMax: number;
  /** Share of gets served by ReadIndex (the rest go through the log). */
  readonly readIndexRate: number;
}

interface Pending {
  readonly input: KvInput;
  readonly call: number;
  readonly deadline: number;
  done: boolean;
}

interface Client {
  readonly id: number;
  nextAt: number;
  seq: number;
  target: NodeId | undefined;
  pending: Pending | undefined;
}

export class Workload {
  readonly history: KvOperation[] = [];
  completed = 0;
  unknown = 0;
  rejected = 0;
  private readonly clients: Client[] = [];

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: SeededRng,
    private readonly opts: WorkloadOptions,
  ) {
    for (let i = 0; i < opts.clients; i++)
      this.clients.push({ id: i, nextAt: 0, seq: 0, target: undefined, pending: undefined });
  }

  /** History time: replies arrive during step t (2t), calls are made after it (2t + 1), so order is strict. */
  private time(afterStep: boolean): number {
    return this.cluster.now * 2 + (afterStep ? 1 : 0);
  }

  /** Call after each cluster step. */
  tick(issue: boolean): void {
    for (const c of this.clients) {
      const p = c.pending;
      if (p && !p.done && this.cluster.now >= p.deadline) this.timeOut(c, p);
      if (issue && !c.pending && this.cluster.now >= c.nextAt) this.issue(c);
    }
  }

  /** Ends the run: every outstanding operation has an unknown outcome. */
  finish(): void {
    for (const c of this.clients) if (c.pending && !c.pending.done) this.timeOut(c, c.pending);
  }

  private timeOut(c: Client, p: Pending): void {
    p.done = true;
    c.pending = undefined;
    c.target = undefined;
    this.unknown++;
    // A get that may not have happened has no effect; leave it out.
    if (p.input.op !== 'get')
      this.history.push({ clientId: c.id, input: p.input, output: undefined, call: p.call, ret: Infinity });
  }

  private randomInput(c: Client): KvInput {
    const key = `k${this.rng.nextInt(this.opts.keys)}`;
    const r = this.rng.next();
    if (r < 0.35) return { op: 'put', key, value: `c${c.id}.${c.seq}` };
    if (r < 0.7) return { op: 'get', key };
    const from = this.rng.chance(0.2) ? null : this.lastWritten(key);
    return { op: 'cas', key, from, to: `c${c.id}.${c.seq}` };
  }

  private lastWritten(key: string): string | null {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (h.input.key !== key) continue;
      if (h.input.op === 'put') return h.input.value;
      if (h.input.op === 'cas') return h.input.to;
      if (h.input.op === 'get' && typeof h.output === 'string') return h.output;
    }
    return null;
  }

  private issue(c: Client): void {
    c.seq++;
    const input = this.randomInput(c);
    const ids = [...this.cluster.nodes.keys()];
    const target = c.target && this.rng.chance(0.9) ? c.target : (this.cluster.leader() ?? this.rng.pick(ids));
    const call = this.time(true);
    const p: Pending = { input, call, deadline: this.cluster.now + this.opts.opTimeoutSteps, done: false };
    const viaReadIndex = this.rng.chance(this.opts.readIndexRate);
    const reply = (output: KvOutput): void => {
      if (p.done) return;
      p.done = true;
      c.pending = undefined;
      c.nextAt = this.cluster.now + 1 + this.rng.nextInt(this.opts.thinkStepsMax);
      this.completed++;
      this.history.push({ clientId: c.id, input, output, call, ret: Math.max(call, this.time(false)) });
    };
    c.pending = p;
    if (!this.cluster.submit(target, `c${c.id}-${c.seq}`, input, viaReadIndex, reply)) {
      if (!p.done) {
        p.done = true;
        c.pending = undefined;
        this.rejected++;
        c.target = undefined;
        c.nextAt = this.cluster.now + 1 + this.rng.nextInt(this.opts.thinkStepsMax);
      }
      return;
    }
    c.target = target;
  }
}

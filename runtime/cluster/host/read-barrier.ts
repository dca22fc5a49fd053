// Linearizable reads that survive elections. The Raft core starts a ReadIndex round only when it knows a leader
// that has committed in its term, and it drops a round silently when the leader steps down, the term changes or the
// leader is not ready for it yet. So a read is not one request but a wait: while no leader is known it waits (up to
// leaderWaitMs) instead of failing at once, and a round that may have been lost (leader or term changed, or no answer
// within reissueMs, doubled each time) is started again under a new context. Any of a read's contexts that comes
// back releases it: each was started after the read began, so its index covers every write acknowledged before.
import { type NodeId, RaftError } from '../raft/types.js';

/** The error of a read or call that waited leaderWaitMs for a leader in vain (code 'unavailable'). */
export function noLeaderError(id: NodeId, leaderWaitMs: number, what: string, detail = ''): Error {
  const why = `${detail}an election is in progress or no quorum is reachable`;
  const msg = `no leader ${what} after ${leaderWaitMs} ms (leaderWaitMs) [node=${id}]: ${why}`;
  return Object.assign(new Error(msg), { code: 'unavailable' });
}

export interface ReadBarrierOptions {
  /** this node, for error messages */
  readonly id: NodeId;
  /** starts a ReadIndex round tagged `context`; throws a RaftError when none can start now */
  readonly issue: (context: string) => void;
  /** the node's current term and leader ('' when none is known), undefined once stopped */
  readonly view: () => { readonly term: number; readonly leader: NodeId } | undefined;
  /** a read fails after this long in all, ms */
  readonly timeoutMs: number;
  /** a read fails after this long without a leader that can serve it (an election, no quorum), ms */
  readonly leaderWaitMs: number;
  /** a round without an answer after this long is started again, ms (doubled for each further round of a read) */
  readonly reissueMs: number;
  /** reads waiting at once; one more is refused */
  readonly readsPendingMax: number;
}

interface PendingRead {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly deadline: number;
  readonly contexts: string[];
  /** where the latest round went; undefined while none is out */
  round: { readonly term: number; readonly leader: NodeId; readonly retryAt: number } | undefined;
  /** since when no round could start (no leader, or a leader not yet committed in its term) */
  leaderlessSince: number | undefined;
}

/** Raft refusals that an election in progress explains: wait for the next leader, then try again. */
const RETRYABLE = new Set<RaftError['code']>(['not-leader', 'no-commit-in-term']);

export class ReadBarrier {
  private seq = 0;
  private readonly pending = new Set<PendingRead>();
  private readonly byContext = new Map<string, PendingRead>();

  constructor(private readonly opts: ReadBarrierOptions) {
    for (const k of ['timeoutMs', 'leaderWaitMs', 'reissueMs', 'readsPendingMax'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new TypeError(`${k} must be a positive integer`);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** Starts a read; it resolves when `release` is called with one of its contexts. */
  read(now = Date.now()): Promise<void> {
    if (this.pending.size >= this.opts.readsPendingMax) {
      const max = this.opts.readsPendingMax;
      return Promise.reject(
        new Error(`too many linearizable reads waiting (readsPendingMax ${max}) [node=${this.opts.id}]`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const r: PendingRead = {
        resolve,
        reject,
        deadline: now + this.opts.timeoutMs,
        contexts: [],
        round: undefined,
        leaderlessSince: undefined,
      };
      this.pending.add(r);
      this.attempt(r, now);
    });
  }

  /** Called on every tick: starts lost rounds again, fails reads past their limits. */
  poll(now = Date.now()): void {
    const view = this.opts.view();
    for (const r of [...this.pending]) {
      if (now >= r.deadline) {
        this.finish(r, new Error(`Timeout after ${this.opts.timeoutMs} ms waiting for a read [node=${this.opts.id}]`));
        continue;
      }
      const out = r.round;
      if (out && view && out.term === view.term && out.leader === view.leader && now < out.retryAt) continue;
      this.attempt(r, now);
    }
  }

  /** A ReadState for `context` whose index this node has applied: its read may answer. */
  release(context: string): void {
    const r = this.byContext.get(context);
    if (r) this.finish(r);
  }

  rejectAll(err: Error): void {
    for (const r of [...this.pending]) this.finish(r, err);
  }

  private attempt(r: PendingRead, now: number): void {
    const context = `${this.opts.id}-${++this.seq}`;
    try {
      this.opts.issue(context);
    } catch (err) {
      r.round = undefined;
      if (!(err instanceof RaftError) || !RETRYABLE.has(err.code)) {
        this.finish(r, err as Error);
        return;
      }
      r.leaderlessSince ??= now;
      if (now - r.leaderlessSince >= this.opts.leaderWaitMs) {
        const { id, leaderWaitMs } = this.opts;
        this.finish(r, noLeaderError(id, leaderWaitMs, 'to serve a read', `${err.message}; `));
      }
      return;
    }
    const view = this.opts.view();
    r.contexts.push(context);
    this.byContext.set(context, r);
    // each further round of the same read waits twice as long: a slow quorum is not flooded with heartbeat rounds
    const waitMs = Math.min(this.opts.reissueMs * 2 ** (r.contexts.length - 1), this.opts.timeoutMs);
    r.round = { term: view?.term ?? 0, leader: view?.leader ?? '', retryAt: now + waitMs };
    r.leaderlessSince = undefined;
  }

  private finish(r: PendingRead, err?: Error): void {
    if (!this.pending.delete(r)) return;
    for (const c of r.contexts) this.byContext.delete(c);
    if (err) r.reject(err);
    else r.resolve();
  }
}

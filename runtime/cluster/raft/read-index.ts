// ReadIndex (Raft dissertation §6.4): the leader records its commit index for a read, confirms it is still leader by a
// heartbeat round acknowledged by a quorum, then releases the read at that index. Requests are released in order: an
// acknowledgement of a later heartbeat also confirms every earlier request.
import type { NodeId } from './types.js';

export interface PendingRead {
  readonly context: string;
  readonly index: number;
  /** Who asked: the leader itself, or a follower that forwarded the request. */
  readonly from: NodeId;
  readonly acks: Set<NodeId>;
}

export class ReadOnlyQueue {
  private readonly queue: PendingRead[] = [];
  private readonly byContext = new Map<string, PendingRead>();

  constructor(private readonly pendingMax: number) {}

  /** Returns false when the context is already pending or the queue is full (the caller reports a rejected read). */
  add(context: string, index: number, from: NodeId, self: NodeId): boolean {
    if (this.byContext.has(context) || this.queue.length >= this.pendingMax) return false;
    const r: PendingRead = { context, index, from, acks: new Set([self]) };
    this.queue.push(r);
    this.byContext.set(context, r);
    return true;
  }

  /** Records an acknowledgement; returns the acks of that request, or undefined if unknown. */
  recvAck(from: NodeId, context: string): ReadonlySet<NodeId> | undefined {
    const r = this.byContext.get(context);
    if (!r) return undefined;
    r.acks.add(from);
    return r.acks;
  }

  /** Removes and returns every request up to and including `context`. */
  advance(context: string): PendingRead[] {
    const i = this.queue.findIndex((r) => r.context === context);
    if (i < 0) return [];
    const done = this.queue.splice(0, i + 1);
    for (const r of done) this.byContext.delete(r.context);
    return done;
  }

  lastPendingContext(): string | undefined {
    return this.queue.at(-1)?.context;
  }

  reset(): void {
    this.queue.length = 0;
    this.byContext.clear();
  }
}

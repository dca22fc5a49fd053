// One cluster operation run on the leader of the moment (ClusterNode.submit). During an election it waits for the
// next leader (RaftHost.whenLeader, bounded by leaderWaitMs) instead of failing at once with "no leader"; an operation
// refused before it ran because leadership moved meanwhile (the receiver no longer leads, or is handing over) is sent
// to the new leader, at most sendsMax times in all. Any other failure, a timeout above all, is passed on: the
// operation may have run, and only the caller knows whether running it again is harmless.
import { type NodeId, RaftError } from './raft/types.js';

/** sends of one operation, the first included, when each receiver refuses it unrun because leadership moved */
export const LEADER_CALL_SENDS_MAX = 3;

export interface LeaderCallOptions<T> {
  /** this node */
  readonly self: NodeId;
  /** the leader this node knows; waits during an election and rejects after the host's leaderWaitMs */
  readonly whenLeader: () => Promise<NodeId>;
  /** runs the operation here (this node leads) */
  readonly here: () => Promise<T>;
  /** forwards the operation to `leader` */
  readonly there: (leader: NodeId) => Promise<T>;
  readonly sendsMax?: number | undefined;
}

export async function callLeader<T>(o: LeaderCallOptions<T>): Promise<T> {
  const sendsMax = o.sendsMax ?? LEADER_CALL_SENDS_MAX;
  for (let send = 1; ; send++) {
    const leader = await o.whenLeader();
    try {
      return await (leader === o.self ? o.here() : o.there(leader));
    } catch (err) {
      if (send >= sendsMax || !refusedUnrun(err)) throw err;
    }
  }
}

/**
 * True for a refusal that guarantees the operation did not run: the Raft core's "not the leader" and "leadership is
 * moving" (here, or relayed as a message by the forwarder), and a forwarded request refused by a node that no longer
 * leads ("<id> is not the leader", ClusterNode.serveForwarded).
 */
export function refusedUnrun(err: unknown): boolean {
  if (err instanceof RaftError) return err.code === 'not-leader' || err.code === 'transferring';
  if (!(err instanceof Error)) return false;
  return /^not the leader\b|^leadership is moving to |^\S+ is not the leader$/.test(err.message);
}

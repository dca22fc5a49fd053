// One cluster operation run on the leader of the moment (ClusterNode.submit). During an election it waits for the
// next leader (RaftHost.whenLeader, bounded by leaderWaitMs) instead of failing at once with "no leader"; an operation
// refused before it ran because leadership moved meanwhile (the receiver no longer leads, is handing over, or leads
// but has not committed in its term yet) is sent again after a short pause (doubled each time), at most sendsMax
// times in all. Any other failure, a timeout above all, is passed on: the operation may have run, and only the
// caller knows whether running it again is harmless.
import { setTimeout as sleep } from 'node:timers/promises';
import { type NodeId, RaftError } from './raft/types.js';

/** sends of one operation, the first included, when each receiver refuses it unrun because leadership moved */
export const LEADER_CALL_SENDS_MAX = 5;
/** pause before the second send, ms, doubled before each further one (the node learns of the new leader meanwhile) */
export const LEADER_CALL_RETRY_DELAY_MS = 100;

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
  readonly retryDelayMs?: number | undefined;
}

export async function callLeader<T>(o: LeaderCallOptions<T>): Promise<T> {
  const sendsMax = o.sendsMax ?? LEADER_CALL_SENDS_MAX;
  const delayMs = o.retryDelayMs ?? LEADER_CALL_RETRY_DELAY_MS;
  for (let send = 1; ; send++) {
    const leader = await o.whenLeader();
    try {
      return await (leader === o.self ? o.here() : o.there(leader));
    } catch (err) {
      if (send >= sendsMax || !refusedUnrun(err)) throw err;
    }
    await sleep(delayMs * 2 ** (send - 1));
  }
}

/** Raft core refusals an election explains; nothing reached the log */
const ELECTION_REFUSALS = new Set<RaftError['code']>(['not-leader', 'transferring', 'no-commit-in-term']);
/** the same refusals relayed as a message by the forwarder, and ClusterNode.serveForwarded's "<id> is not the leader" */
const ELECTION_REFUSAL_MESSAGE =
  /^not the leader\b|^leadership is moving to |^the leader has not yet committed an entry in its term$|^\S+ is not the leader$/;

/** True for a refusal that guarantees the operation did not run because leadership is moving or just moved. */
export function refusedUnrun(err: unknown): boolean {
  if (err instanceof RaftError) return ELECTION_REFUSALS.has(err.code);
  return err instanceof Error && ELECTION_REFUSAL_MESSAGE.test(err.message);
}

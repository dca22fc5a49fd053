// Helpers for scenario tests on the simulated cluster: wait for a leader, write and read through it.
import type { NodeId } from '../../runtime/cluster/raft/types.js';
import type { KvInput, KvOutput } from '../../runtime/cluster/sim/kv.js';
import { SimCluster, type SimOptions } from '../../runtime/cluster/sim/sim-cluster.js';

let opSeq = 0;

export function cluster(ids: readonly string[], opts: Partial<SimOptions> = {}): SimCluster {
  return new SimCluster({ seed: 42, ids, ...opts });
}

export function waitLeader(c: SimCluster, stepsMax = 5000, among?: readonly NodeId[]): NodeId {
  let found: NodeId | undefined;
  c.runUntil(() => {
    found = c.leader();
    if (found && among && !among.includes(found)) found = undefined;
    return found !== undefined;
  }, stepsMax);
  if (!found) throw new Error(`no leader within ${stepsMax} steps`);
  return found;
}

/**
 * Submits at `at` (default: the current leader) and runs until the reply; a refused request (no leader yet, leader
 * not yet committed in its term) is retried a few times. Undefined on timeout or refusal.
 */
export function request(
  c: SimCluster,
  input: KvInput,
  at?: NodeId,
  viaReadIndex = false,
  stepsMax = 3000,
): KvOutput | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const target = at ?? waitLeader(c);
    let out: KvOutput | undefined;
    let done = false;
    const ok = c.submit(target, `t${++opSeq}`, input, viaReadIndex, (o) => {
      out = o;
      done = true;
    });
    if (ok) {
      c.runUntil(() => done, stepsMax);
      return out;
    }
    c.run(20);
  }
  return undefined;
}

export function put(c: SimCluster, key: string, value: string, at?: NodeId): boolean {
  return request(c, { op: 'put', key, value }, at) === 'ok';
}

export function term(c: SimCluster, id: NodeId): number {
  return c.node(id).raft?.basicStatus().term ?? -1;
}

export function commit(c: SimCluster, id: NodeId): number {
  return c.node(id).raft?.basicStatus().commit ?? -1;
}

export function role(c: SimCluster, id: NodeId): string {
  return c.node(id).raft?.basicStatus().role ?? 'down';
}

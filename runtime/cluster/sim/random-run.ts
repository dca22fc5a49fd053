// One randomized simulation run per seed: a cluster of 3 or 5 nodes under a client workload while a nemesis crashes
// (sometimes mid-fsync), restarts, pauses, partitions (symmetric, asymmetric, bridge), changes loss and membership and
// moves leadership. Then the faults heal, the cluster must converge, and the whole history must be linearizable.
import type { NodeId } from '../raft/types.js';
import { kvModel } from './kv-model.js';
import { type CheckResult, checkOperations } from './linearizability.js';
import { SimCluster } from './sim-cluster.js';
import { Workload } from './workload.js';

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly linearizable: CheckResult;
  readonly converged: boolean;
  readonly stats: {
    readonly nodes: number;
    readonly ops: number;
    readonly unknownOps: number;
    readonly committed: number;
    readonly crashes: number;
    readonly tornLoads: number;
    readonly snapshotsInstalled: number;
    readonly messages: number;
  };
}

export interface RunOptions {
  /** Steps with faults before healing. */
  readonly faultSteps?: number | undefined;
  /** Steps allowed to converge after healing. */
  readonly healSteps?: number | undefined;
  /** Called with the cluster at the end (replay tooling prints node states from here). */
  readonly onEnd?: ((c: SimCluster) => void) | undefined;
}

export function runSeed(seed: number, opts: RunOptions = {}): SeedResult {
  const faultSteps = opts.faultSteps ?? 2500;
  const healSteps = opts.healSteps ?? 3000;
  const sizes = [3, 5, 5] as const;
  const size = sizes[seed % sizes.length]!;
  const ids = Array.from({ length: size + 1 }, (_, i) => `n${i + 1}`);
  // The last id starts outside the configuration; membership changes may add it.
  const voters = ids.slice(0, size);
  const pre = new SimCluster({ seed, ids, voters });
  const rng = pre.rng;
  pre.net.faults = {
    lossRate: rng.pick([0, 0, 0.05, 0.2, 0.5]),
    duplicateRate: rng.pick([0, 0.05, 0.2]),
    replayRate: rng.pick([0, 0.01, 0.05]),
    delayMinSteps: 1,
    delayMaxSteps: rng.pick([2, 4, 10, 25]),
  };
  const c = pre;
  const workload = new Workload(c, rng, {
    clients: 3,
    keys: 3,
    opTimeoutSteps: 300,
    thinkStepsMax: 20,
    readIndexRate: 0.5,
  });
  const nemesis = new Nemesis(c, ids);
  for (let i = 0; i < faultSteps && !c.fatal; i++) {
    c.step();
    workload.tick(true);
    if (rng.chance(1 / 120)) nemesis.act();
    if (i % 250 === 0) c.checkLogs();
  }
  nemesis.healAll();
  let converged = false;
  for (let i = 0; i < healSteps && !c.fatal; i++) {
    c.step();
    workload.tick(false);
    if (i > 200 && i % 50 === 0 && c.converged()) {
      converged = true;
      break;
    }
  }
  workload.finish();
  c.checkLogs();
  opts.onEnd?.(c);
  const linearizable = c.fatal ? 'unknown' : checkOperations(kvModel, workload.history);
  const violations = [...c.safety.violations];
  if (linearizable === 'illegal') violations.push('linearizability: the client history is not linearizable');
  let tornLoads = 0;
  for (const n of c.nodes.values()) tornLoads += n.storage.tornLoads;
  return {
    seed,
    ok: violations.length === 0,
    violations,
    linearizable,
    converged,
    stats: {
      nodes: size,
      ops: workload.history.length,
      unknownOps: workload.unknown,
      committed: c.safety.committedCount(),
      crashes: c.crashes,
      tornLoads,
      snapshotsInstalled: c.snapshotsInstalled,
      messages: c.net.sent,
    },
  };
}

class Nemesis {
  private readonly crashed = new Set<NodeId>();
  private readonly paused = new Set<NodeId>();

  constructor(
    private readonly c: SimCluster,
    private readonly ids: readonly NodeId[],
  ) {}

  act(): void {
    const { c } = this;
    const rng = c.rng;
    const any = rng.pick(this.ids);
    const leader = c.leader();
    switch (rng.nextInt(11)) {
      case 0:
        this.crash(any, rng.chance(0.5));
        return;
      case 1:
        if (leader) this.crash(leader, rng.chance(0.5));
        return;
      case 2:
        for (const id of this.crashed) c.restart(id);
        this.crashed.clear();
        return;
      case 3: {
        const shuffled = [...this.ids].sort(() => rng.next() - 0.5);
        const cutAt = 1 + rng.nextInt(this.ids.length - 1);
        c.net.partition([shuffled.slice(0, cutAt), shuffled.slice(cutAt)]);
        return;
      }
      case 4:
        if (leader) c.net.isolate(leader, this.ids);
        return;
      case 5: {
        // Asymmetric: one direction of one link, or a bridge (two nodes cut, both still reach a third).
        const b = rng.pick(this.ids);
        if (rng.chance(0.5)) c.net.cut(any, b);
        else if (any !== b) c.net.cutBoth(any, b);
        return;
      }
      case 6:
        c.net.heal();
        return;
      case 7:
        if (this.paused.has(any)) {
          c.resume(any);
          this.paused.delete(any);
        } else {
          c.pause(any);
          this.paused.add(any);
        }
        return;
      case 8:
        this.changeMembership(leader);
        return;
      case 9:
        if (leader) c.transferLeadership(leader, rng.pick(this.ids));
        return;
      default:
        c.net.faults.lossRate = rng.pick([0, 0.05, 0.2, 0.5]);
        return;
    }
  }

  private crash(id: NodeId, midPersist: boolean): void {
    if (midPersist) this.c.crashDuringNextPersist(id);
    else this.c.crash(id);
    this.crashed.add(id);
  }

  private changeMembership(leader: NodeId | undefined): void {
    if (!leader) return;
    const { c } = this;
    const voters = c.node(leader).raft?.status().voters ?? [];
    const outside = this.ids.filter((id) => !voters.includes(id));
    if (outside.length > 0 && (voters.length <= 3 || c.rng.chance(0.5))) {
      c.proposeConfChange(leader, { type: 'addVoter', nodeId: c.rng.pick(outside) });
    } else if (voters.length > 3) {
      c.proposeConfChange(leader, { type: 'removeVoter', nodeId: c.rng.pick(voters) });
    }
  }

  healAll(): void {
    const { c } = this;
    c.net.heal();
    c.net.faults = { ...c.net.faults, lossRate: 0, duplicateRate: 0, replayRate: 0 };
    for (const id of this.ids) {
      c.node(id).crashMidPersist = false;
      c.restart(id);
      c.resume(id);
    }
    this.crashed.clear();
    this.paused.clear();
  }
}

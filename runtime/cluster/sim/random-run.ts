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
    clients: 5,
    keys: 2,
    opTimeoutSteps: rng.pick([60, 120, 300]),
    thinkStepsMax: 20,
    readIndexRate: 0.5,
  });
  const nemesis = new Nemesis(c, ids);
  for (let i = 0; i < faultSteps && !c.fatal; i++) {
    c.step();
    workload.tick(true);
    nemesis.poll();
    if (rng.chance(1 / 80)) nemesis.act();
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
  /** Undo actions scheduled for later steps (restart, resume, heal). */
  private readonly scheduled: { at: number; run: () => void }[] = [];

  constructor(
    private readonly c: SimCluster,
    private readonly ids: readonly NodeId[],
  ) {}

  /** Runs the scheduled actions that are due. */
  poll(): void {
    const now = this.c.now;
    for (let i = this.scheduled.length - 1; i >= 0; i--) {
      const s = this.scheduled[i]!;
      if (s.at > now) continue;
      this.scheduled.splice(i, 1);
      s.run();
    }
  }

  private later(minSteps: number, maxSteps: number, run: () => void): void {
    this.scheduled.push({ at: this.c.now + minSteps + this.c.rng.nextInt(maxSteps - minSteps + 1), run });
  }

  act(): void {
    const { c } = this;
    const rng = c.rng;
    const any = rng.pick(this.ids);
    const leader = c.leader();
    switch (rng.nextInt(14)) {
      case 13: {
        // Crash a node just after it granted a vote, and bring it back within the same election.
        if (this.crashed.has(any)) return;
        c.node(any).crashAfterVote = true;
        this.crashed.add(any);
        this.later(1, 15, () => {
          c.node(any).crashAfterVote = false;
          c.restart(any);
          this.crashed.delete(any);
        });
        return;
      }
      case 0:
        this.crash(any, rng.chance(0.5), 20, 400);
        return;
      case 1:
      case 2:
        // Bounce the leader: crash (maybe mid-fsync) and come back soon, while an election may be running.
        if (leader) this.crash(leader, rng.chance(0.5), 0, 80);
        return;
      case 3: {
        const shuffled = [...this.ids].sort(() => rng.next() - 0.5);
        const cutAt = 1 + rng.nextInt(this.ids.length - 1);
        c.net.partition([shuffled.slice(0, cutAt), shuffled.slice(cutAt)]);
        this.later(50, 600, () => c.net.heal());
        return;
      }
      case 4:
        if (leader) c.net.isolate(leader, this.ids);
        this.later(50, 600, () => c.net.heal());
        return;
      case 5: {
        // Asymmetric: one direction of one link, or a bridge (two nodes cut, both still reach a third).
        const b = rng.pick(this.ids);
        if (rng.chance(0.5)) c.net.cut(any, b);
        else if (any !== b) c.net.cutBoth(any, b);
        this.later(50, 600, () => c.net.heal());
        return;
      }
      case 6:
      case 7: {
        // A process pause (GC, swapped out): a paused leader wakes up believing it still leads.
        const who = rng.chance(0.6) && leader ? leader : any;
        if (this.paused.has(who) || !c.isUp(who)) return;
        c.pause(who);
        this.paused.add(who);
        this.later(10, 300, () => {
          c.resume(who);
          this.paused.delete(who);
        });
        return;
      }
      case 8:
        this.changeMembership(leader);
        return;
      case 9:
        if (leader) c.transferLeadership(leader, rng.pick(this.ids));
        return;
      case 10:
        c.net.faults.duplicateRate = rng.pick([0, 0.05, 0.3]);
        return;
      default:
        c.net.faults.lossRate = rng.pick([0, 0.05, 0.2, 0.5]);
        return;
    }
  }

  private crash(id: NodeId, midPersist: boolean, restartMin: number, restartMax: number): void {
    if (this.crashed.has(id)) return;
    if (midPersist) this.c.crashDuringNextPersist(id);
    else this.c.crash(id);
    this.crashed.add(id);
    this.later(restartMin, restartMax, () => {
      this.c.node(id).crashMidPersist = false;
      this.c.restart(id);
      this.crashed.delete(id);
    });
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
    this.scheduled.length = 0;
    c.net.heal();
    c.net.faults = { ...c.net.faults, lossRate: 0, duplicateRate: 0, replayRate: 0 };
    for (const id of this.ids) {
      c.node(id).crashMidPersist = false;
      c.node(id).crashAfterVote = false;
      c.restart(id);
      c.resume(id);
    }
    this.crashed.clear();
    this.paused.clear();
  }
}

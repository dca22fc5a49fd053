// The one feasibility rule every policy and the simulator share: an agent may take a task when it has the task's
// capability and the task's demand fits the agent's free resources (capacity - used) on every dimension.
import type { AgentView, Observation, Placement, ResourceVector, TaskView } from './policy.js';

/** Slack for floating-point sums of demands, in the resource's own unit. */
export const RESOURCE_EPSILON = 1e-9;

export function hasCapability(agent: AgentView, capability: string): boolean {
  return agent.capabilities.includes(capability);
}

/** Demand fits capacity - used on cpu, memory and bandwidth. */
export function fitsFree(demand: ResourceVector, capacity: ResourceVector, used: ResourceVector): boolean {
  return (
    demand.cpu <= capacity.cpu - used.cpu + RESOURCE_EPSILON &&
    demand.memoryMb <= capacity.memoryMb - used.memoryMb + RESOURCE_EPSILON &&
    demand.bandwidthKbps <= capacity.bandwidthKbps - used.bandwidthKbps + RESOURCE_EPSILON
  );
}

export function isFeasible(task: TaskView, agent: AgentView): boolean {
  return hasCapability(agent, task.capability) && fitsFree(task.demand, agent.capacity, agent.used);
}

/** Largest of used/capacity over the three resources (0 for a dimension with no capacity). */
export function dominantShare(used: ResourceVector, capacity: ResourceVector): number {
  return Math.max(
    share(used.cpu, capacity.cpu),
    share(used.memoryMb, capacity.memoryMb),
    share(used.bandwidthKbps, capacity.bandwidthKbps),
  );
}

function share(x: number, cap: number): number {
  return cap > 0 ? x / cap : 0;
}

/**
 * Free resources of every agent of one observation, updated as a policy places several tasks in one decision, so
 * that two placements never overbook an agent. Agents are addressed by their index in `obs.agents`.
 */
export class FreeTable {
  // plain arrays: allocating typed arrays on every decision costs more than it saves at these sizes
  readonly cpu: number[];
  readonly memoryMb: number[];
  readonly bandwidthKbps: number[];
  /** tasks placed on each agent during this decision (added to AgentView.running) */
  readonly added: number[];
  private placed: Set<string> | undefined;
  readonly placements: Placement[] = [];

  /** largest free amount over agents when the table was built; free only shrinks, so it stays an upper bound */
  private readonly maxFree = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };

  constructor(readonly obs: Observation) {
    const mf = this.maxFree;
    const n = obs.agents.length;
    this.cpu = new Array<number>(n);
    this.memoryMb = new Array<number>(n);
    this.bandwidthKbps = new Array<number>(n);
    this.added = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const a = obs.agents[i]!;
      const cpu = a.capacity.cpu - a.used.cpu;
      const mem = a.capacity.memoryMb - a.used.memoryMb;
      const bw = a.capacity.bandwidthKbps - a.used.bandwidthKbps;
      this.cpu[i] = cpu;
      this.memoryMb[i] = mem;
      this.bandwidthKbps[i] = bw;
      if (cpu > mf.cpu) mf.cpu = cpu;
      if (mem > mf.memoryMb) mf.memoryMb = mem;
      if (bw > mf.bandwidthKbps) mf.bandwidthKbps = bw;
    }
  }

  /** Cheap necessary condition: false means no agent can take the task in this decision (skip the agent scan). */
  mayFit(task: TaskView): boolean {
    const d = task.demand;
    const mf = this.maxFree;
    return (
      d.cpu <= mf.cpu + RESOURCE_EPSILON &&
      d.memoryMb <= mf.memoryMb + RESOURCE_EPSILON &&
      d.bandwidthKbps <= mf.bandwidthKbps + RESOURCE_EPSILON
    );
  }

  fits(task: TaskView, agentIndex: number): boolean {
    const d = task.demand;
    return (
      d.cpu <= this.cpu[agentIndex]! + RESOURCE_EPSILON &&
      d.memoryMb <= this.memoryMb[agentIndex]! + RESOURCE_EPSILON &&
      d.bandwidthKbps <= this.bandwidthKbps[agentIndex]! + RESOURCE_EPSILON
    );
  }

  /** capability present, demand fits what is still free, and the task not yet placed in this decision */
  canPlace(task: TaskView, agentIndex: number): boolean {
    const agent = this.obs.agents[agentIndex]!;
    return this.fits(task, agentIndex) && hasCapability(agent, task.capability) && !this.placed?.has(task.id);
  }

  isPlaced(taskId: string): boolean {
    return this.placed?.has(taskId) ?? false;
  }

  /** Records the placement; throws when it is not feasible, since a policy returning one is a bug. */
  place(task: TaskView, agentIndex: number): void {
    if (!this.canPlace(task, agentIndex)) {
      throw new Error(`infeasible placement [task=${task.id} agent=${this.obs.agents[agentIndex]?.id}]`);
    }
    const d = task.demand;
    this.cpu[agentIndex]! -= d.cpu;
    this.memoryMb[agentIndex]! -= d.memoryMb;
    this.bandwidthKbps[agentIndex]! -= d.bandwidthKbps;
    this.added[agentIndex]! += 1;
    this.placed ??= new Set();
    this.placed.add(task.id);
    this.placements.push({ taskId: task.id, agentId: this.obs.agents[agentIndex]!.id });
  }

  /** Free share left after placing `task` on the agent: min over resources of (free - demand)/capacity. */
  slackAfter(task: TaskView, agentIndex: number): number {
    const c = this.obs.agents[agentIndex]!.capacity;
    const d = task.demand;
    return Math.min(
      c.cpu > 0 ? (this.cpu[agentIndex]! - d.cpu) / c.cpu : 1,
      c.memoryMb > 0 ? (this.memoryMb[agentIndex]! - d.memoryMb) / c.memoryMb : 1,
      c.bandwidthKbps > 0 ? (this.bandwidthKbps[agentIndex]! - d.bandwidthKbps) / c.bandwidthKbps : 1,
    );
  }

  /** Largest used share over resources, counting placements made in this decision. */
  dominantUsedShare(agentIndex: number): number {
    const c = this.obs.agents[agentIndex]!.capacity;
    return Math.max(
      c.cpu > 0 ? 1 - this.cpu[agentIndex]! / c.cpu : 0,
      c.memoryMb > 0 ? 1 - this.memoryMb[agentIndex]! / c.memoryMb : 0,
      c.bandwidthKbps > 0 ? 1 - this.bandwidthKbps[agentIndex]! / c.bandwidthKbps : 0,
    );
  }
}

// Small hand-made observations and scenarios for the scheduler tests.
import type { Scenario, ScenarioAgent, ScenarioTask } from '../../models/sim/scenario.js';
import type { AgentView, Observation, Placement, Policy, TaskView } from '../../runtime/scheduler/policy.js';

export function agent(id: string, over: Partial<AgentView> = {}): AgentView {
  return {
    id,
    kind: 'software',
    capabilities: ['x'],
    capacity: { cpu: 4, memoryMb: 1024, bandwidthKbps: 1000 },
    used: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 },
    running: 0,
    estFreeAtMs: 0,
    speed: 1,
    linkQuality: 1,
    ...over,
  };
}

export function task(id: string, over: Partial<TaskView> = {}): TaskView {
  return {
    id,
    capability: 'x',
    demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 },
    estDurationMs: 1000,
    priority: 5,
    arrivalMs: 0,
    attempts: 0,
    ...over,
  };
}

export function obs(tasks: TaskView[], agents: AgentView[], nowMs = 0): Observation {
  return { nowMs, tasks, agents };
}

/** placements as "task>agent" strings, sorted, for order-insensitive comparison */
export function pairs(ps: readonly Placement[]): string[] {
  return ps.map((p) => `${p.taskId}>${p.agentId}`).sort();
}

export function simAgent(id: string, over: Partial<ScenarioAgent> = {}): ScenarioAgent {
  return {
    id,
    kind: 'software',
    capabilities: ['x'],
    capacity: { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 },
    speed: 1,
    linkQuality: 1,
    ...over,
  };
}

export function simTask(id: string, arrivalMs: number, over: Partial<ScenarioTask> = {}): ScenarioTask {
  return {
    id,
    arrivalMs,
    capability: 'x',
    demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 },
    estDurationMs: 1000,
    priority: 5,
    durationFactor: 1,
    ...over,
  };
}

export function scenario(agents: ScenarioAgent[], tasks: ScenarioTask[], seed = 1): Scenario {
  return { version: 1, name: 'hand', seed, load: 1, agents, tasks };
}

/** Wraps a policy and records every placement with its decision time. */
export function recording(inner: Policy): { policy: Policy; log: string[] } {
  const log: string[] = [];
  return {
    log,
    policy: {
      name: inner.name,
      decide(o: Observation) {
        const ps = inner.decide(o) as readonly Placement[];
        for (const p of ps) log.push(`${o.nowMs.toFixed(3)}:${p.taskId}>${p.agentId}`);
        return ps;
      },
    },
  };
}

// The replicated cluster state (issue 6 part 4): gateway membership, which agent lives on which gateway, and
// cluster-level tasks with their assignment. It is a deterministic function of the committed log: every gateway
// applies the same commands in the same order and holds the same state, so a new leader resumes exactly where the old
// one stopped. A task runs only after its assignment is committed, and the state machine accepts one assignment and
// one completion per task, so a task committed before a failover is neither lost (it stays queued or assigned) nor
// run twice (a second assignment is refused).

export interface TaskSpec {
  readonly id: string;
  readonly capability: string;
  readonly priority: number;
  /** estimated duration on an agent of speed 1.0, ms (the gateway's scheduler needs one) */
  readonly estDurationMs?: number | undefined;
  readonly input?: unknown;
}

export type ClusterCommand =
  | { readonly type: 'gateway.join'; readonly id: string; readonly url: string }
  | { readonly type: 'gateway.leave'; readonly id: string }
  | {
      readonly type: 'agent.place';
      readonly agentId: string;
      readonly gatewayId: string;
      /** what the agent can do, for cluster-level scheduling (optional: older entries have none) */
      readonly capabilities?: readonly string[] | undefined;
    }
  | { readonly type: 'agent.remove'; readonly agentId: string }
  | { readonly type: 'task.submit'; readonly task: TaskSpec }
  | { readonly type: 'task.assign'; readonly taskId: string; readonly gatewayId: string; readonly agentId: string }
  | {
      readonly type: 'task.finish';
      readonly taskId: string;
      readonly gatewayId: string;
      readonly ok: boolean;
      readonly result?: unknown;
    };

export type TaskStatus = 'queued' | 'assigned' | 'done' | 'failed';

export interface TaskRecord {
  readonly spec: TaskSpec;
  status: TaskStatus;
  /** Log index of the submission: the queue order among equal priorities. */
  readonly submittedIndex: number;
  gatewayId?: string | undefined;
  agentId?: string | undefined;
  /** Log index of the assignment that is in force (fences completions of an earlier assignment). */
  assignedIndex?: number | undefined;
  attempts: number;
  result?: unknown;
}

export interface ClusterStateData {
  gateways: Record<string, { url: string; joinedIndex: number }>;
  agents: Record<string, string>;
  /** agent id -> capabilities (absent in states from before it existed) */
  capabilities?: Record<string, string[]> | undefined;
  tasks: Record<string, TaskRecord>;
  appliedIndex: number;
}

export type ApplyResult = { ok: true } | { ok: false; reason: string };

/** Bound on tasks kept (finished ones are dropped oldest-first beyond it). */
export const TASKS_MAX = 10_000;

export class ClusterState {
  data: ClusterStateData = { gateways: {}, agents: {}, tasks: {}, appliedIndex: 0 };

  /** Applies one committed command at `index`. Refusals change nothing and are the same on every replica. */
  apply(cmd: ClusterCommand, index: number): ApplyResult {
    if (index <= this.data.appliedIndex) return { ok: false, reason: `index ${index} already applied` };
    this.data.appliedIndex = index;
    const d = this.data;
    switch (cmd.type) {
      case 'gateway.join':
        d.gateways[cmd.id] = { url: cmd.url, joinedIndex: index };
        return { ok: true };
      case 'gateway.leave':
        return this.leave(cmd.id);
      case 'agent.place':
        if (!d.gateways[cmd.gatewayId]) return { ok: false, reason: `unknown gateway ${cmd.gatewayId}` };
        d.agents[cmd.agentId] = cmd.gatewayId;
        if (cmd.capabilities) d.capabilities = { ...d.capabilities, [cmd.agentId]: [...cmd.capabilities] };
        return { ok: true };
      case 'agent.remove':
        delete d.agents[cmd.agentId];
        if (d.capabilities) delete d.capabilities[cmd.agentId];
        return { ok: true };
      case 'task.submit':
        if (d.tasks[cmd.task.id]) return { ok: false, reason: `task ${cmd.task.id} already submitted` };
        d.tasks[cmd.task.id] = { spec: cmd.task, status: 'queued', submittedIndex: index, attempts: 0 };
        this.trim();
        return { ok: true };
      case 'task.assign':
        return this.assign(cmd.taskId, cmd.gatewayId, cmd.agentId, index);
      case 'task.finish':
        return this.finish(cmd.taskId, cmd.gatewayId, cmd.ok, cmd.result);
    }
  }

  private assign(taskId: string, gatewayId: string, agentId: string, index: number): ApplyResult {
    const t = this.data.tasks[taskId];
    if (!t) return { ok: false, reason: `unknown task ${taskId}` };
    if (t.status !== 'queued') return { ok: false, reason: `task ${taskId} is ${t.status}` };
    if (!this.data.gateways[gatewayId]) return { ok: false, reason: `unknown gateway ${gatewayId}` };
    t.status = 'assigned';
    t.gatewayId = gatewayId;
    t.agentId = agentId;
    t.assignedIndex = index;
    t.attempts++;
    return { ok: true };
  }

  private finish(taskId: string, gatewayId: string, ok: boolean, result: unknown): ApplyResult {
    const t = this.data.tasks[taskId];
    if (!t) return { ok: false, reason: `unknown task ${taskId}` };
    if (t.status !== 'assigned' || t.gatewayId !== gatewayId) {
      return { ok: false, reason: `task ${taskId} is not assigned to ${gatewayId}` };
    }
    t.status = ok ? 'done' : 'failed';
    t.result = result;
    return { ok: true };
  }

  /** A leaving gateway's agents go away and its unfinished tasks return to the queue (at-least-once for those). */
  private leave(id: string): ApplyResult {
    const d = this.data;
    if (!d.gateways[id]) return { ok: false, reason: `unknown gateway ${id}` };
    delete d.gateways[id];
    for (const [agent, gw] of Object.entries(d.agents)) {
      if (gw !== id) continue;
      delete d.agents[agent];
      if (d.capabilities) delete d.capabilities[agent];
    }
    for (const t of Object.values(d.tasks)) {
      if (t.status === 'assigned' && t.gatewayId === id) {
        t.status = 'queued';
        t.gatewayId = undefined;
        t.agentId = undefined;
        t.assignedIndex = undefined;
      }
    }
    return { ok: true };
  }

  private trim(): void {
    const ids = Object.keys(this.data.tasks);
    if (ids.length <= TASKS_MAX) return;
    const finished = Object.values(this.data.tasks)
      .filter((t) => t.status === 'done' || t.status === 'failed')
      .sort((a, b) => a.submittedIndex - b.submittedIndex);
    for (const t of finished.slice(0, ids.length - TASKS_MAX)) delete this.data.tasks[t.spec.id];
  }

  /** What the leader schedules next: queued tasks by priority (high first), then submission order. */
  queued(): TaskRecord[] {
    return Object.values(this.data.tasks)
      .filter((t) => t.status === 'queued')
      .sort((a, b) => b.spec.priority - a.spec.priority || a.submittedIndex - b.submittedIndex);
  }

  /** Tasks this gateway must run: assigned to it and committed. */
  assignedTo(gatewayId: string): TaskRecord[] {
    return Object.values(this.data.tasks).filter((t) => t.status === 'assigned' && t.gatewayId === gatewayId);
  }

  snapshot(): string {
    return JSON.stringify(this.data);
  }

  restore(s: string): void {
    this.data = JSON.parse(s) as ClusterStateData;
  }
}

/** Parses a log entry's data into a command, naming the bad field. */
export function decodeCommand(data: string): ClusterCommand {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(data) as Record<string, unknown>;
  } catch {
    throw new TypeError('cluster command: not JSON');
  }
  const s = (k: string, v: unknown = c[k]): string => {
    if (typeof v !== 'string' || v === '')
      throw new TypeError(`cluster command ${String(c.type)}: ${k} must be a non-empty string`);
    return v;
  };
  switch (c.type) {
    case 'gateway.join':
      return { type: c.type, id: s('id'), url: s('url') };
    case 'gateway.leave':
      return { type: c.type, id: s('id') };
    case 'agent.place':
      if (c.capabilities !== undefined && !isStringArray(c.capabilities)) {
        throw new TypeError('cluster command agent.place: capabilities must be an array of strings');
      }
      return {
        type: c.type,
        agentId: s('agentId'),
        gatewayId: s('gatewayId'),
        ...(c.capabilities === undefined ? {} : { capabilities: c.capabilities }),
      };
    case 'agent.remove':
      return { type: c.type, agentId: s('agentId') };
    case 'task.submit': {
      const t = (c.task ?? {}) as Record<string, unknown>;
      if (typeof t.priority !== 'number' || !Number.isFinite(t.priority)) {
        throw new TypeError('cluster command task.submit: task.priority must be a number');
      }
      return {
        type: c.type,
        task: {
          id: s('task.id', t.id),
          capability: s('task.capability', t.capability),
          priority: t.priority,
          ...(t.estDurationMs === undefined ? {} : { estDurationMs: estimate(t.estDurationMs) }),
          input: t.input,
        },
      };
    }
    case 'task.assign':
      return { type: c.type, taskId: s('taskId'), gatewayId: s('gatewayId'), agentId: s('agentId') };
    case 'task.finish':
      if (typeof c.ok !== 'boolean') throw new TypeError('cluster command task.finish: ok must be a boolean');
      return { type: c.type, taskId: s('taskId'), gatewayId: s('gatewayId'), ok: c.ok, result: c.result };
    default:
      throw new TypeError(`cluster command: unknown type ${String(c.type)}`);
  }
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= 256 && v.every((x) => typeof x === 'string' && x.length > 0);
}

function estimate(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new TypeError('cluster command task.submit: task.estDurationMs must be a positive integer');
  }
  return v;
}

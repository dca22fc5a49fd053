// Learning from the site: the trace a gateway records (its agents, task arrivals, and each run's observed duration on
// the agent that ran it), the agent speeds fitted from it, and its replay in the simulator. Format (JSON, version 1):
//   { "version": 1, "agents": [SiteAgent], "tasks": [SiteTask], "runs": [{ taskId, agentId, startMs, durationMs }] }
// Times are ms on the gateway's clock; tasks sorted by arrivalMs. Every list is bounded by the recorder.
import type { AgentView, ResourceVector, TaskView } from '../../runtime/scheduler/policy.js';
import { SCENARIO_VERSION, type Scenario, type ScenarioAgent, type ScenarioTask } from '../sim/scenario.js';

export const SITE_TRACE_VERSION = 1;

export interface SiteAgent {
  id: string;
  kind: AgentView['kind'];
  capabilities: string[];
  capacity: ResourceVector;
  linkQuality: number;
}

export type SiteTask = Omit<TaskView, 'attempts'>;

export interface SiteRun {
  taskId: string;
  agentId: string;
  startMs: number;
  durationMs: number;
}

export interface SiteTrace {
  version: number;
  agents: SiteAgent[];
  tasks: SiteTask[];
  runs: SiteRun[];
}

/** Records what the gateway saw; each list keeps at most `entriesMax` entries (the newest). */
export class SiteTraceRecorder {
  private readonly agents = new Map<string, SiteAgent>();
  private readonly tasks: SiteTask[] = [];
  private readonly runs: SiteRun[] = [];
  private readonly started = new Map<string, { agentId: string; atMs: number }>();

  constructor(readonly entriesMax = 100_000) {
    if (!(Number.isInteger(entriesMax) && entriesMax > 0))
      throw new RangeError('SiteTraceRecorder: entriesMax must be > 0');
  }

  agent(a: AgentView): void {
    const { id, kind, capabilities, capacity, linkQuality } = a;
    this.agents.set(id, { id, kind, capabilities: [...capabilities], capacity: { ...capacity }, linkQuality });
  }

  arrival(t: TaskView): void {
    const { attempts: _attempts, ...task } = t;
    push(this.tasks, { ...task, demand: { ...t.demand } }, this.entriesMax);
  }

  placement(taskId: string, agentId: string, atMs: number): void {
    if (this.started.size >= this.entriesMax) this.started.delete(this.started.keys().next().value!);
    this.started.set(taskId, { agentId, atMs });
  }

  /** The task finished on the agent it was placed on; a result from another agent (a stale retry) is ignored. */
  completion(taskId: string, agentId: string, atMs: number): void {
    const s = this.started.get(taskId);
    if (!s || s.agentId !== agentId || atMs < s.atMs) return;
    this.started.delete(taskId);
    push(this.runs, { taskId, agentId, startMs: s.atMs, durationMs: atMs - s.atMs }, this.entriesMax);
  }

  toJSON(): SiteTrace {
    return {
      version: SITE_TRACE_VERSION,
      agents: [...this.agents.values()],
      tasks: [...this.tasks],
      runs: [...this.runs],
    };
  }
}

function push<T>(xs: T[], x: T, max: number): void {
  xs.push(x);
  if (xs.length > max) xs.splice(0, xs.length - max);
}

/** Throws a TypeError naming the first wrong field. */
export function parseSiteTrace(text: string, where = 'site trace'): SiteTrace {
  let t: SiteTrace;
  try {
    t = JSON.parse(text) as SiteTrace;
  } catch (err) {
    throw new TypeError(`${where}: not JSON (${(err as Error).message})`);
  }
  if (t?.version !== SITE_TRACE_VERSION) throw new TypeError(`${where}.version must be ${SITE_TRACE_VERSION}`);
  for (const k of ['agents', 'tasks', 'runs'] as const) {
    if (!Array.isArray(t[k])) throw new TypeError(`${where}.${k} must be an array`);
  }
  if (t.agents.length === 0) throw new TypeError(`${where}.agents must not be empty`);
  t.tasks.forEach((x, i) => {
    if (!(x.estDurationMs > 0)) throw new TypeError(`${where}.tasks[${i}].estDurationMs must be > 0`);
    if (i > 0 && x.arrivalMs < t.tasks[i - 1]!.arrivalMs)
      throw new TypeError(`${where}.tasks[${i}].arrivalMs not sorted`);
  });
  t.runs.forEach((r, i) => {
    if (!(r.durationMs > 0)) throw new TypeError(`${where}.runs[${i}].durationMs must be > 0`);
  });
  return t;
}

/**
 * Speed per agent fitted from observed runs: the median of estDurationMs / durationMs over the agent's runs (robust
 * to a few stragglers); agents without runs get the median speed of the others, or 1.
 */
export function fitAgentSpeeds(trace: SiteTrace): Map<string, { speed: number; runs: number }> {
  const est = new Map(trace.tasks.map((t) => [t.id, t.estDurationMs]));
  const ratios = new Map<string, number[]>();
  for (const r of trace.runs) {
    const e = est.get(r.taskId);
    if (e === undefined) continue;
    const xs = ratios.get(r.agentId) ?? [];
    xs.push(e / r.durationMs);
    ratios.set(r.agentId, xs);
  }
  const fitted = new Map<string, { speed: number; runs: number }>();
  for (const [id, xs] of ratios) fitted.set(id, { speed: median(xs), runs: xs.length });
  const fallback = fitted.size > 0 ? median([...fitted.values()].map((f) => f.speed)) : 1;
  for (const a of trace.agents) if (!fitted.has(a.id)) fitted.set(a.id, { speed: fallback, runs: 0 });
  return fitted;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The tasks arriving in [fromMs, toMs) replayed on the trace's agents with fitted speeds. A task that ran has the
 * duration noise that reproduces its observed duration on its agent; other tasks run as estimated.
 */
export function scenarioFromSiteTrace(trace: SiteTrace, fromMs: number, toMs: number, seed: number): Scenario {
  const speeds = fitAgentSpeeds(trace);
  const agents: ScenarioAgent[] = trace.agents.map((a) => ({
    id: a.id,
    kind: a.kind,
    capabilities: [...a.capabilities],
    capacity: { ...a.capacity },
    speed: Math.max(1e-3, speeds.get(a.id)!.speed),
    linkQuality: Math.min(1, Math.max(0.01, a.linkQuality)),
  }));
  const observed = new Map(trace.runs.map((r) => [r.taskId, r]));
  const tasks: ScenarioTask[] = [];
  const fitsSomeAgent = (t: SiteTask) =>
    agents.some(
      (a) =>
        a.capabilities.includes(t.capability) &&
        t.demand.cpu <= a.capacity.cpu &&
        t.demand.memoryMb <= a.capacity.memoryMb &&
        t.demand.bandwidthKbps <= a.capacity.bandwidthKbps,
    );
  for (const t of trace.tasks) {
    // a task no agent could ever take would stall the replay; the live queue rejects those anyway
    if (t.arrivalMs < fromMs || t.arrivalMs >= toMs || !fitsSomeAgent(t)) continue;
    const run = observed.get(t.id);
    const speed = run ? speeds.get(run.agentId)?.speed : undefined;
    const factor = run && speed ? Math.min(20, Math.max(0.05, (run.durationMs * speed) / t.estDurationMs)) : 1;
    const task: ScenarioTask = {
      id: t.id,
      arrivalMs: t.arrivalMs - fromMs,
      capability: t.capability,
      demand: { ...t.demand },
      estDurationMs: t.estDurationMs,
      priority: t.priority,
      durationFactor: factor,
    };
    if (t.deadlineMs !== undefined) task.deadlineMs = t.deadlineMs - fromMs;
    tasks.push(task);
  }
  return { version: SCENARIO_VERSION, name: 'site-trace', seed, load: 0, agents, tasks };
}

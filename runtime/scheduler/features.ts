// The learned scheduler's features: names, normalizations, the schema hash and the candidate limits. The extractor that
// computes them is candidate-extractor.ts (`extractCandidates`, `CandidateExtractor`).
// A change to any feature or its normalization must bump FEATURE_SCHEMA_VERSION: the hash below goes into the model
// card and a model whose hash differs is refused at load.
import { createHash } from 'node:crypto';
import type { AgentView, TaskView } from './policy.js';

// v2: the task's capability context and the pair against its alternatives (features 32..38), appended so that a v1
// network widened with zero weights for them scores exactly as before
export const FEATURE_SCHEMA_VERSION = 2;

/** How each feature is normalized; the text is part of the schema hash, so it documents and pins the code. */
export const FEATURES: readonly { name: string; norm: string }[] = [
  // task features
  { name: 'task_log_duration', norm: 'ln(1 + estDurationMs/1000) / 5' },
  { name: 'task_log_run_on_agent', norm: 'ln(1 + estDurationMs/speed/1000) / 5' },
  { name: 'task_wait_ratio', norm: 'ln(1 + max(0, nowMs - arrivalMs) / estDurationMs) / 3' },
  { name: 'task_priority', norm: 'priority / 9' },
  { name: 'task_has_deadline', norm: '1 if deadlineMs present else 0' },
  {
    name: 'task_deadline_slack',
    norm: 'clip((deadlineMs - nowMs - estDurationMs/speed) / estDurationMs, -3, 3) / 3; 0 without deadline',
  },
  { name: 'task_attempts', norm: 'min(attempts, 5) / 5' },
  { name: 'task_cpu_share', norm: 'demand.cpu / capacity.cpu (0 when both 0)' },
  { name: 'task_mem_share', norm: 'demand.memoryMb / capacity.memoryMb' },
  { name: 'task_bw_share', norm: 'demand.bandwidthKbps / capacity.bandwidthKbps' },
  { name: 'task_duration_rank', norm: 'fraction of window tasks with a shorter estDurationMs, 0..1' },
  { name: 'task_age_rank', norm: 'index in arrival order / window size, 0..1' },
  // agent features
  { name: 'agent_cpu_free_after', norm: '(capacity.cpu - used.cpu - demand.cpu) / capacity.cpu' },
  { name: 'agent_mem_free_after', norm: '(capacity.memoryMb - used.memoryMb - demand.memoryMb) / capacity.memoryMb' },
  { name: 'agent_bw_free_after', norm: '(capacity.bw - used.bw - demand.bw) / capacity.bw' },
  { name: 'agent_utilization', norm: 'mean over cpu, memory, bandwidth of used / capacity' },
  { name: 'agent_running', norm: 'ln(1 + running) / 3' },
  { name: 'agent_busy_ratio', norm: 'ln(1 + max(0, estFreeAtMs - nowMs) / estDurationMs) / 3' },
  { name: 'agent_log_speed', norm: 'clip(log2(speed), -4, 4) / 2' },
  { name: 'agent_speed_rel', norm: 'speed / max speed of the agents having the capability' },
  { name: 'agent_battery', norm: 'battery, 1 when mains-powered' },
  { name: 'agent_has_battery', norm: '1 if battery present else 0' },
  { name: 'agent_link', norm: 'linkQuality 0..1' },
  { name: 'agent_kind_device', norm: 'one-hot kind' },
  { name: 'agent_kind_robot', norm: 'one-hot kind' },
  { name: 'agent_kind_software', norm: 'one-hot kind' },
  // global features (same for every candidate of one observation)
  { name: 'global_log_tasks', norm: 'ln(1 + max(tasks.length, waitingTotal)) / 5' },
  { name: 'global_log_agents', norm: 'ln(1 + agents) / 5' },
  { name: 'global_cpu_utilization', norm: 'sum used.cpu / sum capacity.cpu' },
  { name: 'global_tasks_per_agent', norm: 'ln(1 + max(tasks.length, waitingTotal) / agents) / 3' },
  { name: 'pair_feasible_share', norm: 'feasible agents for this task / agents with the capability' },
  {
    name: 'is_wait',
    norm: '1 on the single "wait" row (task and agent features 0), else 0; the row exists when waiting is offered and some agent runs a task (so waiting cannot stall an idle system), or when no pair is feasible',
  },
  // v2: the task's capability (0 on the wait row)
  { name: 'cap_backlog', norm: 'ln(1 + observation tasks of the capability) / 4' },
  { name: 'cap_duration_rank', norm: 'fraction of observation tasks of the capability with a shorter estDurationMs' },
  {
    name: 'cap_pool_pressure',
    norm: 'ln(1 + sum estDurationMs of its observation tasks / sum speed of agents having it / 1000) / 5',
  },
  { name: 'cap_idle_share', norm: 'agents having the capability with running = 0 / agents having it' },
  // v2: the pair against its alternatives (0 on the wait row)
  { name: 'agent_speed_rel_free', norm: 'speed / max speed of the agents the task fits now' },
  {
    name: 'pair_wait_alt',
    norm: 'clip(log2(best wait / run here), -3, 3) / 3; best wait = min over agents having the capability that fit the task only when empty of max(0, estFreeAtMs - nowMs) + estDurationMs/speed; 1 when none',
  },
  { name: 'pair_slowdown_if_placed', norm: 'ln((nowMs - arrivalMs + estDurationMs/speed) / estDurationMs) / 3' },
];

export const FEATURE_COUNT = FEATURES.length;
/** column offsets used by the extractor (candidate-extractor.ts) */
export const GLOBAL_OFFSET = 26;
export const FEASIBLE_SHARE = 30;
export const IS_WAIT = 31;
/** v2 columns: the capability context (4), then the pair's alternatives (3) */
export const CAP_OFFSET = 32;
export const ALT_OFFSET = 36;
/** the v1 schema's width: a v1 network is widened from it with zero weights (models/rl/widen.ts) */
export const FEATURE_COUNT_V1 = 32;

/** Limits on the candidate set so a long queue cannot blow up one decision. */
export interface CandidateLimits {
  /** oldest waiting tasks always considered (no starvation) */
  oldestTasksMax: number;
  /** further tasks considered, shortest estDurationMs first (lets the model act like SJF) */
  shortestTasksMax: number;
  /**
   * the oldest waiting tasks of every capability also considered (none starves); absent = 0. Part of the card's
   * limits, not of the feature schema.
   */
  oldestPerCapabilityMax?: number | undefined;
}

export const DEFAULT_LIMITS: CandidateLimits = { oldestTasksMax: 8, shortestTasksMax: 8 };

export interface Candidates {
  /** row-major [rows x FEATURE_COUNT] */
  features: Float32Array;
  rows: number;
  /** per row: index into obs.tasks, or -1 for the wait row */
  taskIndex: Int32Array;
  /** per row: index into obs.agents, or -1 for the wait row */
  agentIndex: Int32Array;
  /** row of the "wait" option, or -1 when not included */
  waitRow: number;
}

/** sha256 over version, names and normalizations; stored in the model card and checked at load. */
export function featureSchemaHash(): string {
  const text = JSON.stringify({ v: FEATURE_SCHEMA_VERSION, f: FEATURES });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function fits(task: TaskView, agent: AgentView): boolean {
  const c = agent.capacity;
  const u = agent.used;
  const d = task.demand;
  return (
    agent.capabilities.includes(task.capability) &&
    u.cpu + d.cpu <= c.cpu + 1e-9 &&
    u.memoryMb + d.memoryMb <= c.memoryMb + 1e-9 &&
    u.bandwidthKbps + d.bandwidthKbps <= c.bandwidthKbps + 1e-9
  );
}

/**
 * The task window (indices into obs.tasks, in arrival order): the oldest tasks, each capability's oldest, and the
 * shortest of the rest.
 */
export function taskWindow(tasks: readonly TaskView[], limits: CandidateLimits = DEFAULT_LIMITS): number[] {
  const n = tasks.length;
  const perCap = limits.oldestPerCapabilityMax ?? 0;
  if (n <= limits.oldestTasksMax + limits.shortestTasksMax) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  for (let i = 0; i < limits.oldestTasksMax; i++) picked.add(i);
  if (perCap > 0) {
    const shown = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const cap = tasks[i]!.capability;
      const k = shown.get(cap) ?? 0;
      if (k < perCap) picked.add(i);
      shown.set(cap, k + 1);
    }
  }
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!picked.has(i)) rest.push(i);
  rest.sort((a, b) => tasks[a]!.estDurationMs - tasks[b]!.estDurationMs || a - b);
  for (let i = 0; i < limits.shortestTasksMax && i < rest.length; i++) picked.add(rest[i]!);
  return [...picked].sort((a, b) => a - b);
}

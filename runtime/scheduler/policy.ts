// The one observation type and Policy interface shared by the simulator (models/) and the gateway (runtime/scheduler),
// so that a model trained in the simulator sees in production exactly the features it was trained on.
// Additive changes only; every field is documented with its unit.
import type { FreeTimeModel } from './overrun-model.js';

export interface ResourceVector {
  /** cores */
  cpu: number;
  /** MiB */
  memoryMb: number;
  /** kbit/s */
  bandwidthKbps: number;
}

export interface TaskView {
  id: string;
  /** required capability, e.g. "vision.detect" */
  capability: string;
  demand: ResourceVector;
  /** estimated duration on an agent of speed 1.0, ms */
  estDurationMs: number;
  /** 0 (lowest) .. 9 (highest) */
  priority: number;
  /** absolute deadline on the observation clock, ms; absent when none */
  deadlineMs?: number;
  /** arrival time on the observation clock, ms */
  arrivalMs: number;
  /** how many times this task was already placed and lost (failed agent, timeout) */
  attempts: number;
}

export interface AgentView {
  id: string;
  kind: 'device' | 'robot' | 'software';
  capabilities: readonly string[];
  capacity: ResourceVector;
  /** resources held by tasks running on the agent now */
  used: ResourceVector;
  /** tasks running on the agent now */
  running: number;
  /** estimated time at which all work now on the agent finishes, ms on the observation clock (<= nowMs when idle) */
  estFreeAtMs: number;
  /** relative speed: a task takes estDurationMs / speed; 1.0 nominal */
  speed: number;
  /** 0..1 state of charge; absent when mains-powered */
  battery?: number;
  /** 0..1, 1 = perfect link */
  linkQuality: number;
}

export interface Observation {
  /** observation clock, ms */
  nowMs: number;
  /** tasks waiting for placement, in arrival order */
  tasks: readonly TaskView[];
  /** agents that are online and may take work */
  agents: readonly AgentView[];
  /**
   * tasks waiting in total, count; may exceed tasks.length when the queue is longer than the observation window
   * (each capability's oldest tasks are shown, runtime/scheduler/observation-window.ts). Absent when the builder shows
   * the whole queue. Added in contract v1.1.
   */
  waitingTotal?: number | undefined;
}

export interface Placement {
  taskId: string;
  agentId: string;
}

/**
 * A decision rule: which waiting tasks go to which agents now. Returning no placement means "wait". A policy must only
 * return feasible placements (capability present, demand fits capacity - used); each task at most once. Policies that
 * need a native runtime (ONNX) may return a Promise; the simulator awaits only then.
 */
export interface Policy {
  readonly name: string;
  /**
   * the free-time model its observations must use (a learned model: the one it was trained with, from its card);
   * absent = the gateway's setting (scheduler.freeTime)
   */
  readonly freeTime?: FreeTimeModel | undefined;
  decide(obs: Observation): readonly Placement[] | Promise<readonly Placement[]>;
}

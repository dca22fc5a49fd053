// Builds the policy's Observation (policy.ts, the type the simulator builds) from the live gateway: online agents
// from the registry, their capacity as registered, resources held by the tasks the scheduler placed on them (the
// simulator's `used`), raised to what accounting observes when that is more, running tasks and their predicted
// finish (by the estimate, or given how long they have run), speeds fitted from observed durations, battery and link
// quality as the agents report them.
import type { AgentRecord } from '../kernel/registry/agent-record.js';
import type { AgentView, Observation, ResourceVector } from './policy.js';
import { activeAttempt, type TaskRecord, taskView } from './task-record.js';

export interface ObservationSources {
  agents(): readonly Readonly<AgentRecord>[];
  /** accounting's observed use in scheduler units (cpu cores, MiB, kbit/s, battery 0..1) */
  observedUse(agentId: string): Partial<ResourceVector> & { battery?: number };
  speed(agentId: string): number;
  /**
   * predicted end of a run started at startMs and estimated at expectedMs (estimate / speed); absent = the estimate
   * alone, max(now, start + expected). The scheduler passes its OverrunModel's (overrun-model.ts).
   */
  expectedEndMs?: ((startMs: number, expectedMs: number, nowMs: number) => number) | undefined;
}

/** tasks holding resources now (assigned or running), grouped by agent */
export function placedByAgent(active: readonly TaskRecord[]): Map<string, TaskRecord[]> {
  const out = new Map<string, TaskRecord[]>();
  for (const t of active) {
    const a = activeAttempt(t);
    if (!a) continue;
    const xs = out.get(a.agentId) ?? [];
    xs.push(t);
    out.set(a.agentId, xs);
  }
  return out;
}

export function buildObservation(
  src: ObservationSources,
  queued: readonly TaskRecord[],
  waitingTotal: number,
  placed: ReadonlyMap<string, readonly TaskRecord[]>,
  nowMs: number,
): Observation {
  const agents: AgentView[] = [];
  for (const a of src.agents()) {
    if (a.status !== 'online' || a.capabilities.length === 0) continue;
    agents.push(agentView(src, a, placed.get(a.id) ?? [], nowMs));
  }
  return { nowMs, tasks: queued.map(taskView), agents, waitingTotal };
}

function agentView(
  src: ObservationSources,
  a: Readonly<AgentRecord>,
  tasks: readonly TaskRecord[],
  nowMs: number,
): AgentView {
  const capacity: ResourceVector = {
    cpu: a.capacity.cpu ?? 0,
    memoryMb: a.capacity.memoryMb ?? 0,
    bandwidthKbps: a.capacity.bandwidthKbps ?? 0,
  };
  const booked: ResourceVector = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };
  const speed = src.speed(a.id);
  let estFreeAtMs = nowMs;
  for (const t of tasks) {
    booked.cpu += t.demand.cpu;
    booked.memoryMb += t.demand.memoryMb;
    booked.bandwidthKbps += t.demand.bandwidthKbps;
    const attempt = activeAttempt(t);
    const startMs = attempt?.startedAtMs ?? attempt?.assignedAtMs ?? nowMs;
    const expectedMs = t.estDurationMs / speed;
    const endMs = src.expectedEndMs ? src.expectedEndMs(startMs, expectedMs, nowMs) : startMs + expectedMs;
    estFreeAtMs = Math.max(estFreeAtMs, endMs);
  }
  const seen = src.observedUse(a.id);
  // what accounting measures includes the placed tasks' own use, so the larger of the two, not the sum
  const used: ResourceVector = {
    cpu: Math.min(capacity.cpu, Math.max(booked.cpu, seen.cpu ?? 0)),
    memoryMb: Math.min(capacity.memoryMb, Math.max(booked.memoryMb, seen.memoryMb ?? 0)),
    bandwidthKbps: Math.min(capacity.bandwidthKbps, Math.max(booked.bandwidthKbps, seen.bandwidthKbps ?? 0)),
  };
  const view: AgentView = {
    id: a.id,
    kind: a.kind,
    capabilities: a.capabilities,
    capacity,
    used,
    running: tasks.length,
    estFreeAtMs,
    speed,
    linkQuality: unit(a.telemetry['linkQuality']) ?? unit(a.metadata['linkQuality']) ?? 1,
  };
  const battery = seen.battery ?? a.use.battery;
  if (battery !== undefined) view.battery = Math.min(1, Math.max(0, battery));
  return view;
}

function unit(v: unknown): number | undefined {
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : undefined;
}

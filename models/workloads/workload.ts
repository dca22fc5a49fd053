// The versioned workload description: explicit parameters from which generate.ts realizes scenarios for any load and
// seed. Stored as JSON files in this folder (see README). validateWorkload names the first wrong field.
import type { AgentView, ResourceVector } from '../../runtime/scheduler/policy.js';

export const WORKLOAD_VERSION = 1;

/** uniform on [min, max] */
export interface Range {
  min: number;
  max: number;
}

export interface AgentGroup {
  /** agent ids are `${name}-${k}` */
  name: string;
  count: number;
  kind: AgentView['kind'];
  capabilities: string[];
  capacity: ResourceVector;
  /** relative speed, drawn per agent */
  speed: Range;
  /** 0..1, drawn per agent */
  linkQuality: Range;
  battery?:
    | {
        initialLevel: Range;
        idleDrainPerHour: number;
        busyDrainPerHour: number;
        chargePerHour: number;
        resumeLevel: number;
      }
    | undefined;
  failure?: { mtbfMs: number; meanRepairMs: number } | undefined;
}

export interface TaskClass {
  name: string;
  /** relative frequency */
  weight: number;
  capability: string;
  demand: { cpu: Range; memoryMb: Range; bandwidthKbps: Range };
  /** estimate at speed 1: lognormal with this mean (ms) and log-space sigma */
  durationMs: { mean: number; sigma: number };
  /** integer priority drawn uniformly in [min, max] */
  priority: Range;
  /** with this probability a task gets deadline = arrival + slack x estDurationMs */
  deadline?: { probability: number; slack: Range } | undefined;
}

export type ArrivalProcess =
  | { process: 'poisson' }
  /** Markov-modulated Poisson: bursts at burstRateFactor x the calm rate; mean rate still matches the load */
  | { process: 'bursty'; burstRateFactor: number; meanBurstMs: number; meanCalmMs: number }
  /** rate x (1 + amplitude x sin(2 pi t / periodMs)) */
  | { process: 'diurnal'; periodMs: number; amplitude: number };

export interface Workload {
  version: number;
  name: string;
  description: string;
  /** tasks per scenario */
  taskCount: number;
  agents: AgentGroup[];
  taskClasses: TaskClass[];
  arrivals: ArrivalProcess;
  /** actual/estimate duration factor: lognormal with mean 1 and this log-space sigma */
  noise: { durationSigma: number };
}

export function validateWorkload(w: Workload, where = 'workload'): void {
  const fail = (field: string, msg: string): never => {
    throw new TypeError(`${where}.${field} ${msg}`);
  };
  if (w.version !== WORKLOAD_VERSION) fail('version', `must be ${WORKLOAD_VERSION}, got ${JSON.stringify(w.version)}`);
  if (typeof w.name !== 'string' || w.name === '') fail('name', 'must be a non-empty string');
  if (!Number.isInteger(w.taskCount) || w.taskCount < 1 || w.taskCount > 1_000_000) {
    fail('taskCount', 'must be an integer in 1..1000000');
  }
  if (!Array.isArray(w.agents) || w.agents.length === 0) fail('agents', 'must be a non-empty array');
  for (const [i, g] of w.agents.entries()) validateGroup(g, `agents[${i}]`, fail);
  if (!Array.isArray(w.taskClasses) || w.taskClasses.length === 0) fail('taskClasses', 'must be a non-empty array');
  for (const [i, c] of w.taskClasses.entries()) validateClass(c, w, `taskClasses[${i}]`, fail);
  validateArrivals(w.arrivals, fail);
  if (!(w.noise?.durationSigma >= 0 && w.noise.durationSigma <= 3)) fail('noise.durationSigma', 'must be in 0..3');
}

type Fail = (field: string, msg: string) => never;

function range(r: Range | undefined, field: string, fail: Fail, lo = 0, hi = Number.POSITIVE_INFINITY): void {
  if (!r || typeof r.min !== 'number' || typeof r.max !== 'number') fail(field, 'must be {min, max}');
  if (!(r!.min >= lo && r!.max <= hi && r!.min <= r!.max)) fail(field, `must satisfy ${lo} <= min <= max <= ${hi}`);
}

function validateGroup(g: AgentGroup, f: string, fail: Fail): void {
  if (typeof g.name !== 'string' || g.name === '') fail(`${f}.name`, 'must be a non-empty string');
  if (!Number.isInteger(g.count) || g.count < 1 || g.count > 10_000) fail(`${f}.count`, 'must be an integer 1..10000');
  if (!['device', 'robot', 'software'].includes(g.kind)) fail(`${f}.kind`, 'must be device, robot or software');
  if (!Array.isArray(g.capabilities) || g.capabilities.length === 0) fail(`${f}.capabilities`, 'must be non-empty');
  for (const r of ['cpu', 'memoryMb', 'bandwidthKbps'] as const) {
    if (!(g.capacity?.[r] > 0)) fail(`${f}.capacity.${r}`, 'must be > 0');
  }
  range(g.speed, `${f}.speed`, fail, 1e-3, 1e3);
  if (!(g.speed.min > 0)) fail(`${f}.speed.min`, 'must be > 0');
  range(g.linkQuality, `${f}.linkQuality`, fail, 0.01, 1);
  if (g.battery) {
    range(g.battery.initialLevel, `${f}.battery.initialLevel`, fail, 0.01, 1);
    for (const k of ['idleDrainPerHour', 'busyDrainPerHour', 'chargePerHour'] as const) {
      if (!(g.battery[k] >= 0)) fail(`${f}.battery.${k}`, 'must be >= 0');
    }
    if (!(g.battery.chargePerHour > 0)) fail(`${f}.battery.chargePerHour`, 'must be > 0');
    if (!(g.battery.resumeLevel > 0 && g.battery.resumeLevel <= 1))
      fail(`${f}.battery.resumeLevel`, 'must be in (0,1]');
  }
  if (g.failure) {
    if (!(g.failure.mtbfMs > 0)) fail(`${f}.failure.mtbfMs`, 'must be > 0');
    if (!(g.failure.meanRepairMs > 0)) fail(`${f}.failure.meanRepairMs`, 'must be > 0');
  }
}

function validateClass(c: TaskClass, w: Workload, f: string, fail: Fail): void {
  if (typeof c.name !== 'string' || c.name === '') fail(`${f}.name`, 'must be a non-empty string');
  if (!(c.weight > 0)) fail(`${f}.weight`, 'must be > 0');
  const pool = w.agents.filter((g) => g.capabilities?.includes(c.capability));
  if (pool.length === 0) fail(`${f}.capability`, `"${c.capability}" is offered by no agent group`);
  for (const r of ['cpu', 'memoryMb', 'bandwidthKbps'] as const) {
    range(c.demand?.[r], `${f}.demand.${r}`, fail);
  }
  const fits = pool.some(
    (g) =>
      c.demand.cpu.max <= g.capacity.cpu &&
      c.demand.memoryMb.max <= g.capacity.memoryMb &&
      c.demand.bandwidthKbps.max <= g.capacity.bandwidthKbps,
  );
  if (!fits) fail(`${f}.demand`, `max demand fits no agent group offering "${c.capability}"`);
  if (!(c.durationMs?.mean > 0)) fail(`${f}.durationMs.mean`, 'must be > 0');
  if (!(c.durationMs.sigma >= 0 && c.durationMs.sigma <= 3)) fail(`${f}.durationMs.sigma`, 'must be in 0..3');
  range(c.priority, `${f}.priority`, fail, 0, 9);
  if (c.deadline) {
    if (!(c.deadline.probability >= 0 && c.deadline.probability <= 1))
      fail(`${f}.deadline.probability`, 'must be 0..1');
    range(c.deadline.slack, `${f}.deadline.slack`, fail, 1);
  }
}

function validateArrivals(a: ArrivalProcess, fail: Fail): void {
  if (!a || typeof a !== 'object') fail('arrivals', 'must be an object');
  if (a.process === 'poisson') return;
  if (a.process === 'bursty') {
    if (!(a.burstRateFactor >= 1)) fail('arrivals.burstRateFactor', 'must be >= 1');
    if (!(a.meanBurstMs > 0)) fail('arrivals.meanBurstMs', 'must be > 0');
    if (!(a.meanCalmMs > 0)) fail('arrivals.meanCalmMs', 'must be > 0');
    return;
  }
  if (a.process === 'diurnal') {
    if (!(a.periodMs > 0)) fail('arrivals.periodMs', 'must be > 0');
    if (!(a.amplitude >= 0 && a.amplitude < 1)) fail('arrivals.amplitude', 'must be in [0,1)');
    return;
  }
  fail(
    'arrivals.process',
    `must be poisson, bursty or diurnal, got ${JSON.stringify((a as { process: unknown }).process)}`,
  );
}

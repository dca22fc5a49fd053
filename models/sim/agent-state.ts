// Mutable per-agent state of the simulator: resources in use, running tasks, up/down status and the battery, whose
// level is settled lazily at event times (drain is piecewise linear between events).

import type { OverrunModel } from '../../runtime/scheduler/overrun-model.js';
import type { AgentView } from '../../runtime/scheduler/policy.js';
import type { Rng } from '../../runtime/scheduler/prng.js';
import type { ScenarioAgent, ScenarioTask } from './scenario.js';

const MS_PER_HOUR = 3_600_000;

export interface Run {
  id: number;
  task: number;
  startMs: number;
  endMs: number;
  /** start + estDurationMs / speed: what the agent reports as its expected finish */
  estEndMs: number;
}

export class AgentState {
  readonly capabilities: ReadonlySet<string>;
  usedCpu = 0;
  usedMemoryMb = 0;
  usedBandwidthKbps = 0;
  readonly runs: Run[] = [];
  failed = false;
  charging = false;
  batteryLevel: number;
  private batteryAtMs = 0;
  /** bumped whenever the predicted battery event changes; stale events carry an older version */
  batteryVersion = 0;
  /** bumped on every change of use or status (invalidates the cached view) */
  version = 0;
  view: AgentView | undefined;
  viewVersion = -1;
  viewNowMs = -1;
  /** the overrun model's version the cached view was built with (fitted free times only) */
  viewOverrunVersion = -1;

  constructor(
    readonly spec: ScenarioAgent,
    readonly index: number,
    /** this agent's own failure stream, so failure times do not depend on the policy */
    readonly failureRng: Rng,
  ) {
    this.capabilities = new Set(spec.capabilities);
    this.batteryLevel = spec.battery ? spec.battery.initialLevel : 1;
  }

  get online(): boolean {
    return !this.failed && !this.charging;
  }

  /** Brings the battery level up to `nowMs` under the rate that held since the last settle. */
  settleBattery(nowMs: number): void {
    const b = this.spec.battery;
    const dt = nowMs - this.batteryAtMs;
    this.batteryAtMs = nowMs;
    if (!b || dt <= 0) return;
    if (this.charging) this.batteryLevel = Math.min(1, this.batteryLevel + (b.chargePerHour / MS_PER_HOUR) * dt);
    else if (!this.failed) this.batteryLevel = Math.max(0, this.batteryLevel - this.drainPerMs() * dt);
  }

  private drainPerMs(): number {
    const b = this.spec.battery!;
    const cpuShare = this.spec.capacity.cpu > 0 ? this.usedCpu / this.spec.capacity.cpu : 0;
    return (b.idleDrainPerHour + b.busyDrainPerHour * cpuShare) / MS_PER_HOUR;
  }

  /**
   * The next battery event under the current rate: 'empty' while discharging, 'full' (resume level reached) while
   * docked, or null. Call after settleBattery and after any change of use or status.
   */
  nextBatteryEvent(nowMs: number): { timeMs: number; kind: 'empty' | 'full' } | null {
    const b = this.spec.battery;
    if (!b) return null;
    if (this.charging) {
      const need = Math.max(0, b.resumeLevel - this.batteryLevel);
      return b.chargePerHour > 0 ? { timeMs: nowMs + need / (b.chargePerHour / MS_PER_HOUR), kind: 'full' } : null;
    }
    if (this.failed) return null;
    const rate = this.drainPerMs();
    return rate > 0 ? { timeMs: nowMs + this.batteryLevel / rate, kind: 'empty' } : null;
  }

  /** Has the capability, and the demand fits capacity - used (1e-9 slack for float sums). */
  fits(t: ScenarioTask): boolean {
    const cap = this.spec.capacity;
    const eps = 1e-9;
    return (
      this.capabilities.has(t.capability) &&
      t.demand.cpu <= cap.cpu - this.usedCpu + eps &&
      t.demand.memoryMb <= cap.memoryMb - this.usedMemoryMb + eps &&
      t.demand.bandwidthKbps <= cap.bandwidthKbps - this.usedBandwidthKbps + eps
    );
  }

  /** When all runs here are expected to end: by their estimates, or by `overrun` given how long they have run. */
  estFreeAtMs(nowMs: number, overrun?: OverrunModel): number {
    let t = nowMs;
    if (overrun) {
      for (const r of this.runs) {
        const end = overrun.expectedEndMs(r.startMs, r.estEndMs - r.startMs, nowMs);
        if (end > t) t = end;
      }
    } else for (const r of this.runs) if (r.estEndMs > t) t = r.estEndMs;
    return t;
  }
}

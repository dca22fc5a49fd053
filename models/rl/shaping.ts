// Potential-based reward shaping (Ng, Harada and Russell 1999) for the DQN scheduler. The simulator's cost charges a
// running task's slowdown ms by ms until it finishes, so the price of a slow placement reaches the learner seconds and
// many decisions later, buried in every other task's cost. With the potential
//   Phi(s) = -sum over tasks this learner placed and not yet (estimated) finished of remaining est ms / ideal est ms
// and the shaped reward r + gamma^(dt/tau) Phi(s') - Phi(s), a placement's whole estimated run cost is charged at the
// decision that made it, while the running cost the simulator charges later is (in expectation) paid back. Shaping of
// this form leaves the optimal policy unchanged; it only moves credit in time.
import type { Observation, Placement } from '../../runtime/scheduler/policy.js';

interface Running {
  /** estimated finish, ms on the observation clock */
  finishMs: number;
  /** 1 / ideal duration estimate, per ms: fastest capable speed / estDurationMs */
  weight: number;
}

/** Tracked tasks above this are dropped oldest-first (a bound; a lost task's entry simply ages out at its finish). */
export const RUNNING_TRACKED_MAX = 20_000;

export class RunningPotential {
  private running: Running[] = [];

  /** Phi at `nowMs` (<= 0), dropping tasks whose estimated finish has passed. */
  potential(nowMs: number): number {
    let phi = 0;
    let keep = 0;
    for (const r of this.running) {
      if (r.finishMs <= nowMs) continue;
      phi -= (r.finishMs - nowMs) * r.weight;
      this.running[keep++] = r;
    }
    this.running.length = keep;
    return phi;
  }

  /** Records the placements of one decision with their estimated run time on the chosen agent. */
  add(obs: Observation, placements: readonly Placement[]): void {
    if (placements.length === 0) return;
    const tasks = new Map(obs.tasks.map((t) => [t.id, t]));
    const agents = new Map(obs.agents.map((a) => [a.id, a]));
    for (const p of placements) {
      const t = tasks.get(p.taskId);
      const a = agents.get(p.agentId);
      if (!t || !a) continue;
      let fastest = 0;
      for (const b of obs.agents) {
        const c = b.capacity;
        const d = t.demand;
        if (!b.capabilities.includes(t.capability)) continue;
        if (d.cpu > c.cpu || d.memoryMb > c.memoryMb || d.bandwidthKbps > c.bandwidthKbps) continue;
        fastest = Math.max(fastest, b.speed);
      }
      const est = Math.max(1, t.estDurationMs);
      const bwShare = a.capacity.bandwidthKbps > 0 ? t.demand.bandwidthKbps / a.capacity.bandwidthKbps : 0;
      // the simulator's run time model (models/sim/README.md), without the per-task noise factor (mean 1)
      const runMs = (est / Math.max(1e-6, a.speed)) * (1 + (1 - a.linkQuality) * bwShare);
      this.running.push({ finishMs: obs.nowMs + runMs, weight: Math.max(fastest, a.speed) / est });
    }
    if (this.running.length > RUNNING_TRACKED_MAX) this.running.splice(0, this.running.length - RUNNING_TRACKED_MAX);
  }

  reset(): void {
    this.running = [];
  }
}

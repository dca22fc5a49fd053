// Frozen first implementation of the schema-v2 columns (32..38), as written on the branch rl-v2-candidate (d9d9f7f):
// the reference for features-equivalence.test.ts, which checks the allocation-free extractor against
// reference-features-v1.ts (columns 0..31) plus these. Not used by any runtime code; do not "fix" it.
import { type Candidates, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import type { AgentView, Observation, TaskView } from '../../runtime/scheduler/policy.js';
import { fits } from './reference-features-v1.js';

const CAP_OFFSET = 32;
const SPEED_REL_FREE = 36;
const WAIT_ALT = 37;
const SLOWDOWN_IF_PLACED = 38;

interface CapabilityContext {
  waiting: number;
  durations: Float64Array;
  workMs: number;
  agents: number;
  speedSum: number;
  idle: number;
}

function capabilityContexts(obs: Observation): Map<string, CapabilityContext> {
  const durs = new Map<string, number[]>();
  for (const t of obs.tasks) {
    const list = durs.get(t.capability);
    if (list) list.push(t.estDurationMs);
    else durs.set(t.capability, [t.estDurationMs]);
  }
  const out = new Map<string, CapabilityContext>();
  for (const [cap, list] of durs) {
    const durations = Float64Array.from(list).sort();
    let workMs = 0;
    for (const d of list) workMs += d;
    let agents = 0;
    let speedSum = 0;
    let idle = 0;
    for (const a of obs.agents) {
      if (!a.capabilities.includes(cap)) continue;
      agents++;
      speedSum += a.speed;
      if (a.running === 0) idle++;
    }
    out.set(cap, { waiting: list.length, durations, workMs, agents, speedSum, idle });
  }
  return out;
}

function rankWithin(ctx: CapabilityContext, estDurationMs: number): number {
  const d = ctx.durations;
  if (d.length <= 1) return 0;
  let lo = 0;
  let hi = d.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d[mid]! < estDurationMs) lo = mid + 1;
    else hi = mid;
  }
  return lo / (d.length - 1);
}

function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : Math.min(x, hi);
}

function fitsEmpty(task: TaskView, agent: AgentView): boolean {
  const c = agent.capacity;
  const d = task.demand;
  return d.cpu <= c.cpu + 1e-9 && d.memoryMb <= c.memoryMb + 1e-9 && d.bandwidthKbps <= c.bandwidthKbps + 1e-9;
}

/** A copy of `cands` (from the v1 reference, columns 32..38 zero) with the v2 columns written. */
export function referenceWithV2Columns(obs: Observation, cands: Candidates): Candidates {
  const features = cands.features.slice();
  const caps = capabilityContexts(obs);
  const perTask = new Map<number, { maxFreeSpeed: number; waitAltMs: number; cap: Float32Array }>();
  for (let r = 0; r < cands.rows; r++) {
    const ti = cands.taskIndex[r]!;
    if (ti < 0) continue;
    const task = obs.tasks[ti]!;
    let pt = perTask.get(ti);
    if (!pt) {
      let maxFreeSpeed = 0;
      let waitAltMs = Number.POSITIVE_INFINITY;
      for (const agent of obs.agents) {
        if (!agent.capabilities.includes(task.capability)) continue;
        if (fits(task, agent)) maxFreeSpeed = Math.max(maxFreeSpeed, agent.speed);
        else if (fitsEmpty(task, agent)) {
          const ms = Math.max(0, agent.estFreeAtMs - obs.nowMs) + task.estDurationMs / Math.max(1e-6, agent.speed);
          waitAltMs = Math.min(waitAltMs, ms);
        }
      }
      const ctx = caps.get(task.capability);
      let cap = new Float32Array(4);
      if (ctx) {
        const pressureS = ctx.speedSum > 0 ? ctx.workMs / ctx.speedSum / 1000 : 0;
        cap = Float32Array.of(
          Math.log1p(ctx.waiting) / 4,
          rankWithin(ctx, task.estDurationMs),
          Math.log1p(pressureS) / 5,
          ctx.agents > 0 ? ctx.idle / ctx.agents : 0,
        );
      }
      pt = { maxFreeSpeed, waitAltMs, cap };
      perTask.set(ti, pt);
    }
    const a = obs.agents[cands.agentIndex[r]!]!;
    const row = r * FEATURE_COUNT;
    const est = Math.max(1, task.estDurationMs);
    const runMs = est / Math.max(1e-6, a.speed);
    features.set(pt.cap, row + CAP_OFFSET);
    features[row + SPEED_REL_FREE] = pt.maxFreeSpeed > 0 ? a.speed / pt.maxFreeSpeed : 1;
    features[row + WAIT_ALT] = Number.isFinite(pt.waitAltMs)
      ? clip(Math.log2(Math.max(1e-6, pt.waitAltMs) / runMs), -3, 3) / 3
      : 1;
    features[row + SLOWDOWN_IF_PLACED] = Math.log((Math.max(0, obs.nowMs - task.arrivalMs) + runMs) / est) / 3;
  }
  return { ...cands, features };
}

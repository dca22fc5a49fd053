// Simulator + policy speed on a fixed set of scenarios, warm, best of several repetitions (the best repetition is the
// one least disturbed by other processes on a shared machine). Placements per second of wall time.
import { runPolicy } from '../../../models/sim/run.js';
import type { Scenario } from '../../../models/sim/scenario.js';
import { createPolicy } from '../../../runtime/scheduler/policies/registry.js';

/** The cheap baselines the >= 100k placements/s goal is about. */
export const CHEAP_POLICIES = ['fifo', 'random', 'round-robin', 'least-loaded'];

export function measureThroughput(scenarios: readonly Scenario[], policies = CHEAP_POLICIES, repetitions = 3) {
  const wall: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const name of policies) {
    let bestWall = 0;
    let bestCpu = 0;
    for (let rep = 0; rep < repetitions + 1; rep++) {
      let placements = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const s of scenarios) placements += runPolicy(s, createPolicy(name)).summary.placements;
      const wallMs = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (rep === 0) continue; // repetition 0 warms the JIT
      bestWall = Math.max(bestWall, (placements / wallMs) * 1000);
      bestCpu = Math.max(bestCpu, (placements / ((c.user + c.system) / 1000)) * 1000);
    }
    wall[name] = Math.round(bestWall);
    cpu[name] = Math.round(bestCpu);
  }
  return { wall, cpu };
}

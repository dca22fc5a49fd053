// Tetris-style packer (Grandl et al., SIGCOMM 2014): repeatedly place the feasible (task, agent) pair with the best
// score = alignment of the task's demand with the agent's free resources (both as shares of the agent's capacity, so
// a task goes where it fills the holes it fits best) + srptWeight x shortness of the task (the SRPT term of the paper)
// + speedWeight x relative agent speed (our agents are heterogeneous; the paper's machines were not).
import { FreeTable } from '../feasibility.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { OptionReader, type PolicyOptions } from './options.js';

export interface TetrisKnobs {
  /** weight of minEst / estDurationMs (1 for the shortest task of the window), 0..10 */
  srptWeight: number;
  /** weight of speed / max speed, 0..10 */
  speedWeight: number;
}

export const TETRIS_DEFAULTS: TetrisKnobs = { srptWeight: 1, speedWeight: 1 };

export function tetris(options: PolicyOptions = {}): Policy {
  const r = new OptionReader('tetris', options);
  const k: TetrisKnobs = {
    srptWeight: r.number('srptWeight', TETRIS_DEFAULTS.srptWeight, 0, 10),
    speedWeight: r.number('speedWeight', TETRIS_DEFAULTS.speedWeight, 0, 10),
  };
  r.done();
  return { name: 'tetris', decide: (obs) => decide(obs, k) };
}

function decide(obs: Observation, k: TetrisKnobs): Placement[] {
  const free = new FreeTable(obs);
  if (obs.tasks.length === 0 || obs.agents.length === 0) return free.placements;
  let minEst = Number.POSITIVE_INFINITY;
  for (const t of obs.tasks) minEst = Math.min(minEst, t.estDurationMs);
  let maxSpeed = 0;
  for (const a of obs.agents) maxSpeed = Math.max(maxSpeed, a.speed);
  for (;;) {
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestTask = -1;
    let bestAgent = -1;
    for (let i = 0; i < obs.tasks.length; i++) {
      const task = obs.tasks[i]!;
      if (!free.mayFit(task) || free.isPlaced(task.id)) continue;
      const shortness = k.srptWeight * (minEst / task.estDurationMs);
      for (let j = 0; j < obs.agents.length; j++) {
        if (!free.canPlace(task, j)) continue;
        const score = alignment(free, i, j) + shortness + (k.speedWeight * obs.agents[j]!.speed) / maxSpeed;
        if (score > bestScore) {
          bestScore = score;
          bestTask = i;
          bestAgent = j;
        }
      }
    }
    if (bestTask < 0) return free.placements;
    free.place(obs.tasks[bestTask]!, bestAgent);
  }
}

/** Mean over resources of (demand / capacity) x (free / capacity), in 0..1. */
function alignment(free: FreeTable, i: number, j: number): number {
  const d = free.obs.tasks[i]!.demand;
  const c = free.obs.agents[j]!.capacity;
  let s = 0;
  if (c.cpu > 0) s += (d.cpu / c.cpu) * (free.cpu[j]! / c.cpu);
  if (c.memoryMb > 0) s += (d.memoryMb / c.memoryMb) * (free.memoryMb[j]! / c.memoryMb);
  if (c.bandwidthKbps > 0) s += (d.bandwidthKbps / c.bandwidthKbps) * (free.bandwidthKbps[j]! / c.bandwidthKbps);
  return s / 3;
}

// Per-epoch optimal assignment: at each decision, up to `tasksMax` waiting tasks (the oldest ones, plus the shortest
// ones for a `shortestShare` of the slots, so neither starvation nor head-of-line blocking dominates) are matched by the
// Hungarian algorithm on estimated finish time. Every task also has its own "wait" column whose cost is the estimated
// finish if it waited for a better agent that is busy now (that agent's estFreeAtMs + estDurationMs / speed, times
// waitFactor), so the optimum may leave a task waiting rather than put it on a slow agent. The matching gives each
// agent at most one task; rounds repeat on what is left until a round places nothing.
import { FreeTable, fitsFree, hasCapability } from '../feasibility.js';
import { solveAssignment } from '../hungarian.js';
import type { Observation, Placement, Policy, TaskView } from '../policy.js';
import { OptionReader, type PolicyOptions } from './options.js';

export interface HungarianKnobs {
  /** tasks considered per decision, 1..64 */
  tasksMax: number;
  /** share of those slots given to the shortest waiting tasks (the rest: oldest), 0..1 */
  shortestShare: number;
  /** 'finish': cost = estimated run time from now; 'slowdown': (now - arrival + run time) / estDurationMs */
  objective: 'finish' | 'slowdown';
  /** multiplier on the waiting alternative's cost; large values never wait while an agent fits, 1..100 */
  waitFactor: number;
  /** matching rounds per decision, 1..16 */
  roundsMax: number;
}

export const HUNGARIAN_DEFAULTS: HungarianKnobs = {
  tasksMax: 16,
  shortestShare: 0.5,
  objective: 'slowdown',
  waitFactor: 1.5,
  roundsMax: 8,
};

/** Cost of a pair that must not be chosen (finite, as the solver requires). */
const FORBIDDEN = 1e12;
/** Cost of waiting when no busy agent could ever take the task later: place it if anything fits. */
const NO_ALTERNATIVE = 1e9;

export function hungarianPolicy(options: PolicyOptions = {}): Policy {
  const r = new OptionReader('hungarian', options);
  const k: HungarianKnobs = {
    tasksMax: Math.round(r.number('tasksMax', HUNGARIAN_DEFAULTS.tasksMax, 1, 64)),
    shortestShare: r.number('shortestShare', HUNGARIAN_DEFAULTS.shortestShare, 0, 1),
    objective: r.choice('objective', HUNGARIAN_DEFAULTS.objective, ['finish', 'slowdown'] as const),
    waitFactor: r.number('waitFactor', HUNGARIAN_DEFAULTS.waitFactor, 1, 100),
    roundsMax: Math.round(r.number('roundsMax', HUNGARIAN_DEFAULTS.roundsMax, 1, 16)),
  };
  r.done();
  return { name: 'hungarian', decide: (obs) => decide(obs, k) };
}

function decide(obs: Observation, k: HungarianKnobs): Placement[] {
  const free = new FreeTable(obs);
  const tasks = candidates(obs.tasks, k);
  const waitCost = tasks.map((t) => waitingCost(obs, t, k));
  for (let round = 0; round < k.roundsMax; round++) {
    const open = tasks.map((_, i) => i).filter((i) => !free.isPlaced(tasks[i]!.id));
    if (open.length === 0) break;
    const placed = matchRound(obs, free, open, tasks, waitCost, k);
    if (placed === 0) break;
  }
  return free.placements;
}

/** The oldest tasks and the shortest tasks of the observation, without duplicates, in arrival order. */
function candidates(all: readonly TaskView[], k: HungarianKnobs): TaskView[] {
  if (all.length <= k.tasksMax) return [...all];
  const shortest = Math.round(k.tasksMax * k.shortestShare);
  const chosen = new Set<number>();
  for (let i = 0; i < k.tasksMax - shortest; i++) chosen.add(i);
  const byLength = all.map((_, i) => i).sort((a, b) => all[a]!.estDurationMs - all[b]!.estDurationMs || a - b);
  for (const i of byLength) {
    if (chosen.size >= k.tasksMax) break;
    chosen.add(i);
  }
  return [...chosen].sort((a, b) => a - b).map((i) => all[i]!);
}

function matchRound(
  obs: Observation,
  free: FreeTable,
  open: number[],
  tasks: TaskView[],
  waitCost: number[],
  k: HungarianKnobs,
): number {
  const n = open.length;
  const m = obs.agents.length;
  const cols = m + n;
  const cost = new Float64Array(n * cols).fill(FORBIDDEN);
  let anyFeasible = false;
  for (let r = 0; r < n; r++) {
    const t = tasks[open[r]!]!;
    for (let j = 0; j < m && free.mayFit(t); j++) {
      if (!free.canPlace(t, j)) continue;
      cost[r * cols + j] = runCost(obs, t, t.estDurationMs / obs.agents[j]!.speed, k);
      anyFeasible = true;
    }
    cost[r * cols + m + r] = waitCost[open[r]!]!;
  }
  if (!anyFeasible) return 0;
  const { rowToCol } = solveAssignment(cost, n, cols);
  let placed = 0;
  for (let r = 0; r < n; r++) {
    const j = rowToCol[r]!;
    if (j >= 0 && j < m && cost[r * cols + j]! < FORBIDDEN) {
      free.place(tasks[open[r]!]!, j);
      placed++;
    }
  }
  return placed;
}

function runCost(obs: Observation, t: TaskView, runMs: number, k: HungarianKnobs): number {
  return k.objective === 'finish' ? runMs : (obs.nowMs - t.arrivalMs + runMs) / t.estDurationMs;
}

/** Estimated cost of waiting for the best agent that could take the task but has no room for it now. */
function waitingCost(obs: Observation, t: TaskView, k: HungarianKnobs): number {
  let best = Number.POSITIVE_INFINITY;
  for (const a of obs.agents) {
    if (!hasCapability(a, t.capability) || fitsFree(t.demand, a.capacity, a.used)) continue;
    const zero = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };
    if (!fitsFree(t.demand, a.capacity, zero)) continue;
    const runMs = Math.max(0, a.estFreeAtMs - obs.nowMs) + t.estDurationMs / a.speed;
    best = Math.min(best, runCost(obs, t, runMs, k));
  }
  return best === Number.POSITIVE_INFINITY ? NO_ALTERNATIVE : best * k.waitFactor;
}

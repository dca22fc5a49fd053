// Candidate decisions for one-step rollout (rollout-policy.ts): small edits of the base policy's decision, each
// feasible by construction (FreeTable, the rule the simulator enforces). Kinds, each ordered by how promising the
// edit looks, then interleaved so that a small candidate budget still tries every kind:
//   wait   the base decision minus one placement (the one on the slowest agent relative to the task's best agent first)
//   move   one placement moved to one of the two fastest other agents that fit (the largest speed-up first)
//   extra  the base decision plus one more window task on the fastest agent that still fits (shortest task first)
//   none   no placement at all (only when the base decision placed something)
import { FreeTable } from '../../runtime/scheduler/feasibility.js';
import type { Observation, Placement, TaskView } from '../../runtime/scheduler/policy.js';

export type CandidateKind = 'base' | 'wait' | 'move' | 'extra' | 'none';

export interface Candidate {
  kind: CandidateKind;
  placements: readonly Placement[];
}

/** Per kind, how many edits are generated before interleaving (bounds the work on a large window). */
const PER_KIND_MAX = 8;
/** 'move' edits per placement: its fastest and second fastest other agents that fit */
const MOVES_PER_PLACEMENT = 2;

/** The base decision first, then up to `max - 1` distinct edits of it. */
export function rolloutCandidates(obs: Observation, base: readonly Placement[], max: number): Candidate[] {
  const out: Candidate[] = [{ kind: 'base', placements: base }];
  if (max <= 1) return out;
  const taskById = new Map(obs.tasks.map((t) => [t.id, t]));
  const agentIdx = new Map(obs.agents.map((a, i) => [a.id, i]));
  const kinds: Candidate[][] = [
    waitEdits(obs, base, taskById, agentIdx),
    moveEdits(obs, base, taskById, agentIdx),
    extraEdits(obs, base, taskById, agentIdx),
  ];
  const seen = new Set([key(base)]);
  const push = (c: Candidate): void => {
    const k = key(c.placements);
    if (out.length >= max || seen.has(k)) return;
    seen.add(k);
    out.push(c);
  };
  for (let i = 0; i < PER_KIND_MAX && out.length < max; i++) for (const list of kinds) if (list[i]) push(list[i]!);
  if (base.length > 0) push({ kind: 'none', placements: [] });
  return out;
}

function key(ps: readonly Placement[]): string {
  return ps
    .map((p) => `${p.taskId}>${p.agentId}`)
    .sort()
    .join('|');
}

/** Fastest agent speed among the online agents that have the capability (the best this task could get now). */
function bestSpeed(obs: Observation, t: TaskView): number {
  let best = 0;
  for (const a of obs.agents) if (a.capabilities.includes(t.capability) && a.speed > best) best = a.speed;
  return best;
}

function waitEdits(
  obs: Observation,
  base: readonly Placement[],
  taskById: Map<string, TaskView>,
  agentIdx: Map<string, number>,
): Candidate[] {
  const ratio = (p: Placement): number => {
    const t = taskById.get(p.taskId)!;
    return obs.agents[agentIdx.get(p.agentId)!]!.speed / bestSpeed(obs, t);
  };
  return base
    .map((p, i) => ({ i, r: ratio(p) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .slice(0, PER_KIND_MAX)
    .map(({ i }) => ({ kind: 'wait' as const, placements: base.filter((_, j) => j !== i) }));
}

/** A FreeTable with every placement of `ps` applied. */
function tableWith(
  obs: Observation,
  ps: readonly Placement[],
  taskById: Map<string, TaskView>,
  agentIdx: Map<string, number>,
): FreeTable {
  const free = new FreeTable(obs);
  for (const p of ps) free.place(taskById.get(p.taskId)!, agentIdx.get(p.agentId)!);
  return free;
}

function moveEdits(
  obs: Observation,
  base: readonly Placement[],
  taskById: Map<string, TaskView>,
  agentIdx: Map<string, number>,
): Candidate[] {
  const moves: { i: number; agent: number; gain: number }[] = [];
  for (let i = 0; i < base.length; i++) {
    const p = base[i]!;
    const t = taskById.get(p.taskId)!;
    const free = tableWith(
      obs,
      base.filter((_, j) => j !== i),
      taskById,
      agentIdx,
    );
    const from = agentIdx.get(p.agentId)!;
    const alternatives: number[] = [];
    for (let j = 0; j < obs.agents.length; j++) if (j !== from && free.canPlace(t, j)) alternatives.push(j);
    alternatives.sort((a, b) => obs.agents[b]!.speed - obs.agents[a]!.speed || a - b);
    for (const agent of alternatives.slice(0, MOVES_PER_PLACEMENT)) {
      moves.push({ i, agent, gain: obs.agents[agent]!.speed / obs.agents[from]!.speed });
    }
  }
  return moves
    .sort((a, b) => b.gain - a.gain || a.i - b.i)
    .slice(0, PER_KIND_MAX)
    .map(({ i, agent }) => ({
      kind: 'move' as const,
      placements: base.map((p, j) => (j === i ? { taskId: p.taskId, agentId: obs.agents[agent]!.id } : p)),
    }));
}

function extraEdits(
  obs: Observation,
  base: readonly Placement[],
  taskById: Map<string, TaskView>,
  agentIdx: Map<string, number>,
): Candidate[] {
  const free = tableWith(obs, base, taskById, agentIdx);
  const open = obs.tasks.filter((t) => !free.isPlaced(t.id) && free.mayFit(t));
  open.sort((a, b) => a.estDurationMs - b.estDurationMs || a.arrivalMs - b.arrivalMs);
  const out: Candidate[] = [];
  for (const t of open) {
    if (out.length >= PER_KIND_MAX) break;
    let best = -1;
    for (let j = 0; j < obs.agents.length; j++) {
      if (!free.canPlace(t, j)) continue;
      if (best < 0 || obs.agents[j]!.speed > obs.agents[best]!.speed) best = j;
    }
    if (best >= 0) out.push({ kind: 'extra', placements: [...base, { taskId: t.id, agentId: obs.agents[best]!.id }] });
  }
  return out;
}

// Turns one batch of candidate scores into placements: the best-scored pairs first, each task at most once, each pair
// re-checked against the resources already committed in this decision. Pairs scored below the "wait" row are not placed.
// Shared by the ONNX policy, the TypeScript-forward policy and training, so all three decide identically.
import type { Candidates } from './features.js';
import type { Observation, Placement } from './policy.js';

/** rows below this count are packed with their score into one sort key (score bits x ROW_KEY + row) */
const ROW_KEY = 2 ** 21;
let keys = new Float64Array(0);

/**
 * The rows other than the wait row scored above `minScore`, best first, ties by row: the order of `rankRows`, found by
 * sorting numbers with the native typed-array sort instead of calling a comparator (about 10x fewer cycles for 1600
 * rows). Each key is the float32 score's bits mapped to an order-preserving unsigned integer, times 2^21, plus the row:
 * exact below 2^53. undefined when that cannot reproduce rankRows exactly (scores not float32, a NaN, too many rows).
 */
function rowsByScore(cands: Candidates, scores: ArrayLike<number>, minScore: number): number[] | undefined {
  if (!(scores instanceof Float32Array) || cands.rows >= ROW_KEY) return undefined;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  if (keys.length < cands.rows) keys = new Float64Array(Math.max(cands.rows, 2 * keys.length));
  let n = 0;
  for (let r = 0; r < cands.rows; r++) {
    const s = scores[r]!;
    if (Number.isNaN(s)) return undefined;
    if (r === cands.waitRow || !(s > minScore)) continue;
    // -0 and +0 compare equal, so both map to +0's key; negative floats order reversed, positive after them
    const u = s === 0 ? 0 : bits[r]!;
    const ascending = u >= 0x80000000 ? 0xffffffff - u : u + 0x80000000;
    keys[n++] = (0xffffffff - ascending) * ROW_KEY + r;
  }
  const sorted = keys.subarray(0, n).sort();
  const rows = new Array<number>(n);
  for (let i = 0; i < n; i++) rows[i] = sorted[i]! % ROW_KEY;
  return rows;
}

export function rankRows(cands: Candidates, scores: ArrayLike<number>): number[] {
  const fast = rowsByScore(cands, scores, Number.NEGATIVE_INFINITY);
  // -Infinity rows are not above the minimum: only the exact path keeps them
  if (fast && fast.length === cands.rows - (cands.waitRow >= 0 ? 1 : 0)) return fast;
  const rows: number[] = [];
  for (let r = 0; r < cands.rows; r++) if (r !== cands.waitRow) rows.push(r);
  // ties broken by row order so the choice is deterministic
  rows.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return rows;
}

/** Placements chosen from `scores` (one per candidate row) and, per placement, the row it came from. */
export function selectPlacements(
  obs: Observation,
  cands: Candidates,
  scores: ArrayLike<number>,
): { placements: Placement[]; rows: number[] } {
  if (scores.length < cands.rows)
    throw new RangeError(`selectPlacements: ${scores.length} scores for ${cands.rows} rows`);
  const waitScore = cands.waitRow >= 0 ? scores[cands.waitRow]! : Number.NEGATIVE_INFINITY;
  // resources committed in this decision, per agent index; copied on first use only
  const used = new Map<number, { cpu: number; memoryMb: number; bandwidthKbps: number }>();
  const placedTask = new Set<number>();
  // rows are grouped by task (features.ts), so distinct tasks = changes of taskIndex along the pair rows
  let tasksInRows = 0;
  for (let r = 0; r < cands.rows; r++) {
    if (r !== cands.waitRow && (r === 0 || cands.taskIndex[r] !== cands.taskIndex[r - 1])) tasksInRows++;
  }
  if (tasksInRows === 1) return bestSingle(obs, cands, scores, waitScore);
  const placements: Placement[] = [];
  const rows: number[] = [];
  // rows not above the wait row are never placed, so the fast path leaves them out of the sort
  for (const r of rowsByScore(cands, scores, waitScore) ?? rankRows(cands, scores)) {
    if (!(scores[r]! > waitScore) || placedTask.size === tasksInRows) break;
    const ti = cands.taskIndex[r]!;
    const ai = cands.agentIndex[r]!;
    if (placedTask.has(ti)) continue;
    const task = obs.tasks[ti]!;
    const agent = obs.agents[ai]!;
    let u = used.get(ai);
    if (!u) {
      u = { ...agent.used };
      used.set(ai, u);
    }
    const d = task.demand;
    const c = agent.capacity;
    if (u.cpu + d.cpu > c.cpu + 1e-9 || u.memoryMb + d.memoryMb > c.memoryMb + 1e-9) continue;
    if (u.bandwidthKbps + d.bandwidthKbps > c.bandwidthKbps + 1e-9) continue;
    u.cpu += d.cpu;
    u.memoryMb += d.memoryMb;
    u.bandwidthKbps += d.bandwidthKbps;
    placedTask.add(ti);
    placements.push({ taskId: task.id, agentId: agent.id });
    rows.push(r);
  }
  return { placements, rows };
}

/**
 * One task in the window: its best-scored row, no sort. Every pair row was feasible when extracted and nothing else
 * is committed in this decision, so the argmax (first row on ties, like rankRows) is the sorted path's answer.
 */
function bestSingle(obs: Observation, cands: Candidates, scores: ArrayLike<number>, waitScore: number) {
  let best = -1;
  for (let r = 0; r < cands.rows; r++) {
    if (r !== cands.waitRow && (best < 0 || scores[r]! > scores[best]!)) best = r;
  }
  if (best < 0 || !(scores[best]! > waitScore)) return { placements: [] as Placement[], rows: [] as number[] };
  const placement = { taskId: obs.tasks[cands.taskIndex[best]!]!.id, agentId: obs.agents[cands.agentIndex[best]!]!.id };
  return { placements: [placement], rows: [best] };
}

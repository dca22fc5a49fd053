// Turns one batch of candidate scores into placements: the best-scored pairs first, each task at most once, each pair
// re-checked against the resources already committed in this decision. Pairs scored below the "wait" row are not placed.
// Shared by the ONNX policy, the TypeScript-forward policy and training, so all three decide identically.
import type { Candidates } from './features.js';
import type { Observation, Placement } from './policy.js';

/** rows below this count are packed with their score into one key (score bits x ROW_KEY + row) */
const ROW_KEY = 2 ** 21;
let keys = new Float64Array(0);

/**
 * Packs the rows other than the wait row scored above `minScore` into `keys`, one number each whose ascending order is
 * rankRows' order (best score first, ties by row): the float32 score's bits mapped to an order-preserving unsigned
 * integer, reversed, times 2^21, plus the row; exact below 2^53. Returns how many, or -1 when that cannot reproduce
 * rankRows exactly (scores not float32, a NaN, too many rows). Sorting numbers needs no comparator calls.
 */
function packKeys(cands: Candidates, scores: ArrayLike<number>, minScore: number): number {
  if (!(scores instanceof Float32Array) || cands.rows >= ROW_KEY) return -1;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  if (keys.length < cands.rows) keys = new Float64Array(Math.max(cands.rows, 2 * keys.length));
  let n = 0;
  for (let r = 0; r < cands.rows; r++) {
    const s = scores[r]!;
    if (Number.isNaN(s)) return -1;
    if (r === cands.waitRow || !(s > minScore)) continue;
    // -0 and +0 compare equal, so both take +0's key; negative floats order reversed, below the positive ones
    const u = s === 0 ? 0 : bits[r]!;
    const ascending = u >= 0x80000000 ? 0xffffffff - u : u + 0x80000000;
    keys[n++] = (0xffffffff - ascending) * ROW_KEY + r;
  }
  return n;
}

export function rankRows(cands: Candidates, scores: ArrayLike<number>): number[] {
  const n = packKeys(cands, scores, Number.NEGATIVE_INFINITY);
  // rows scored -Infinity are not above the minimum: only the comparator path keeps them
  if (n >= 0 && n === cands.rows - (cands.waitRow >= 0 ? 1 : 0)) {
    const sorted = keys.subarray(0, n).sort();
    const rows = new Array<number>(n);
    for (let i = 0; i < n; i++) rows[i] = sorted[i]! % ROW_KEY;
    return rows;
  }
  const rows: number[] = [];
  for (let r = 0; r < cands.rows; r++) if (r !== cands.waitRow) rows.push(r);
  // ties broken by row order so the choice is deterministic
  rows.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return rows;
}

/** Min-heap on keys[0..n): the greedy loop usually stops after a few rows, so a full sort would be wasted. */
function siftDown(h: Float64Array, i: number, n: number): void {
  const x = h[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && h[c + 1]! < h[c]!) c++;
    if (h[c]! >= x) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = x;
}

/** The greedy's state: resources committed in this decision and the placements so far. */
class Greedy {
  // per agent index; copied on first use only
  private readonly used = new Map<number, { cpu: number; memoryMb: number; bandwidthKbps: number }>();
  private readonly placedTask = new Set<number>();
  readonly placements: Placement[] = [];
  readonly rows: number[] = [];
  constructor(
    private readonly obs: Observation,
    private readonly cands: Candidates,
    private readonly tasksInRows: number,
  ) {}

  get done(): boolean {
    return this.placedTask.size === this.tasksInRows;
  }

  /** Places row `r` when its task is still unplaced and its agent still has room. */
  offer(r: number): void {
    const ti = this.cands.taskIndex[r]!;
    const ai = this.cands.agentIndex[r]!;
    if (this.placedTask.has(ti)) return;
    const task = this.obs.tasks[ti]!;
    const agent = this.obs.agents[ai]!;
    let u = this.used.get(ai);
    if (!u) {
      u = { ...agent.used };
      this.used.set(ai, u);
    }
    const d = task.demand;
    const c = agent.capacity;
    if (u.cpu + d.cpu > c.cpu + 1e-9 || u.memoryMb + d.memoryMb > c.memoryMb + 1e-9) return;
    if (u.bandwidthKbps + d.bandwidthKbps > c.bandwidthKbps + 1e-9) return;
    u.cpu += d.cpu;
    u.memoryMb += d.memoryMb;
    u.bandwidthKbps += d.bandwidthKbps;
    this.placedTask.add(ti);
    this.placements.push({ taskId: task.id, agentId: agent.id });
    this.rows.push(r);
  }
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
  // rows are grouped by task (features.ts), so distinct tasks = changes of taskIndex along the pair rows
  let tasksInRows = 0;
  for (let r = 0; r < cands.rows; r++) {
    if (r !== cands.waitRow && (r === 0 || cands.taskIndex[r] !== cands.taskIndex[r - 1])) tasksInRows++;
  }
  if (tasksInRows === 1) return bestSingle(obs, cands, scores, waitScore);
  const greedy = new Greedy(obs, cands, tasksInRows);
  // rows not above the wait row are never placed: the heap leaves them out, the sorted list stops at the first
  const n = packKeys(cands, scores, waitScore);
  if (n >= 0) {
    for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(keys, i, n);
    for (let size = n; size > 0 && !greedy.done; ) {
      const best = keys[0]!;
      keys[0] = keys[--size]!;
      siftDown(keys, 0, size);
      greedy.offer(best % ROW_KEY);
    }
  } else {
    for (const r of rankRows(cands, scores)) {
      if (!(scores[r]! > waitScore) || greedy.done) break;
      greedy.offer(r);
    }
  }
  return { placements: greedy.placements, rows: greedy.rows };
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

// Minimum-cost assignment (Hungarian algorithm, Kuhn-Munkres with row/column potentials and shortest augmenting
// paths), O(rows^2 x cols) for rows <= cols. Own implementation so the scheduler carries no dependency for it.

export interface Assignment {
  /** column assigned to each row, -1 when the row is unassigned (only when rows > cols) */
  rowToCol: Int32Array;
  /** sum of the chosen entries */
  total: number;
}

/**
 * Assigns rows to distinct columns minimizing the total cost. `cost` is row-major, rows x cols, every entry finite.
 * With rows <= cols every row gets a column; with rows > cols every column gets a row.
 */
export function solveAssignment(cost: ArrayLike<number>, rows: number, cols: number): Assignment {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new TypeError(`solveAssignment: rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  }
  if (cost.length !== rows * cols)
    throw new TypeError(`solveAssignment: cost has ${cost.length} entries, want ${rows * cols}`);
  for (let k = 0; k < cost.length; k++) {
    if (!Number.isFinite(cost[k]!)) throw new TypeError(`solveAssignment: cost[${k}] is not finite`);
  }
  if (rows === 0 || cols === 0) return { rowToCol: new Int32Array(rows).fill(-1), total: 0 };
  if (rows <= cols) return solve(cost, rows, cols, false);
  return solve(cost, cols, rows, true);
}

function solve(cost: ArrayLike<number>, n: number, m: number, transposed: boolean): Assignment {
  // a(i, j), 1-based: row i, column j of the (possibly transposed) n x m problem
  const a = transposed
    ? (i: number, j: number) => cost[(j - 1) * n + (i - 1)]!
    : (i: number, j: number) => cost[(i - 1) * m + (j - 1)]!;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row matched to column j (0: none)
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Number.POSITIVE_INFINITY);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0, j) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minv[j]! -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const outRows = transposed ? m : n;
  const rowToCol = new Int32Array(outRows).fill(-1);
  let total = 0;
  for (let j = 1; j <= m; j++) {
    const i = p[j]!;
    if (i === 0) continue;
    total += a(i, j);
    if (transposed) rowToCol[j - 1] = i - 1;
    else rowToCol[i - 1] = j - 1;
  }
  return { rowToCol, total };
}

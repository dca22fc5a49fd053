// The Hungarian solver against brute force on random small instances, square and rectangular.
import t from 'tap';
import { solveAssignment } from '../../runtime/scheduler/hungarian.js';
import { Rng } from '../../runtime/scheduler/prng.js';

/** Minimum over all injective maps of the smaller side into the larger one. */
function bruteForce(cost: Float64Array, rows: number, cols: number): number {
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  const at = (i: number, j: number) => (transposed ? cost[j * cols + i]! : cost[i * cols + j]!);
  const used = new Array<boolean>(m).fill(false);
  let best = Number.POSITIVE_INFINITY;
  const go = (i: number, acc: number): void => {
    if (i === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + at(i, j));
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

t.test('matches brute force on 600 random instances up to 6 x 7', async (t) => {
  const rng = new Rng(2024);
  let checked = 0;
  for (let k = 0; k < 600; k++) {
    const rows = 1 + rng.int(6);
    const cols = 1 + rng.int(7);
    const integer = k % 2 === 0; // integer costs produce many ties
    const cost = Float64Array.from({ length: rows * cols }, () => (integer ? rng.int(10) : rng.uniform(-50, 100)));
    const { rowToCol, total } = solveAssignment(cost, rows, cols);
    const want = bruteForce(cost, rows, cols);
    if (Math.abs(total - want) > 1e-9) t.fail(`instance ${k} (${rows}x${cols}): got ${total}, want ${want}`);
    // the assignment is a valid matching whose entries sum to total
    const cols_ = [...rowToCol].filter((c) => c >= 0);
    if (new Set(cols_).size !== cols_.length) t.fail(`instance ${k}: a column used twice`);
    if (cols_.length !== Math.min(rows, cols))
      t.fail(`instance ${k}: ${cols_.length} pairs, want ${Math.min(rows, cols)}`);
    const sum = [...rowToCol].reduce((s, c, r) => (c >= 0 ? s + cost[r * cols + c]! : s), 0);
    if (Math.abs(sum - total) > 1e-9) t.fail(`instance ${k}: entries sum to ${sum}, total says ${total}`);
    checked++;
  }
  t.equal(checked, 600);
});

t.test('a hand-checked 3 x 3 instance', async (t) => {
  // rows: workers, cols: jobs; the optimum is 0->1, 1->0, 2->2 = 1 + 2 + 2 = 5
  const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
  const r = solveAssignment(cost, 3, 3);
  t.equal(r.total, 5);
  t.same([...r.rowToCol], [1, 0, 2]);
});

t.test('bad input is refused naming the problem', async (t) => {
  t.throws(() => solveAssignment([1, 2, 3], 2, 2), /cost has 3 entries, want 4/);
  t.throws(() => solveAssignment([1, Number.NaN, 3, 4], 2, 2), /cost\[1\] is not finite/);
  t.same(solveAssignment([], 0, 3).total, 0);
});

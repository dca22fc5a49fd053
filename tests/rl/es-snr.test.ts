// es-snr.ts: the split-half correlation that tells an ES gradient's signal from its noise.
import t from 'tap';
import { correlation } from '../../models/rl/es-snr.js';

t.test('correlation is 1 for an affine copy, -1 for a reversed one, 0 for orthogonal patterns', async (t) => {
  const a = [1, 2, 3, 4, 5];
  t.equal(
    correlation(
      a,
      a.map((x) => 3 * x - 7),
    ),
    1,
  );
  t.ok(
    Math.abs(
      correlation(
        a,
        a.map((x) => -0.5 * x),
      ) + 1,
    ) < 1e-12,
  );
  t.equal(correlation([1, -1, 1, -1], [1, 1, -1, -1]), 0);
  // a known value: y = x plus an orthogonal pattern of equal size gives 1 / sqrt(2)
  t.ok(Math.abs(correlation([1, -1, 1, -1], [2, 0, 0, -2]) - Math.SQRT1_2) < 1e-12);
});

t.test('correlation refuses samples it cannot compare', async (t) => {
  t.throws(() => correlation([1, 2], [1, 2, 3]), RangeError);
  t.throws(() => correlation([1], [1]), RangeError);
  t.ok(Number.isNaN(correlation([1, 1, 1], [1, 2, 3])), 'a constant sample has no correlation');
});

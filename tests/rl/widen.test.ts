// widen.ts: a v1-schema network widened to the current schema with zero weights for the new columns scores every
// candidate exactly as the original scores the v1 columns, so training can start from the old policy.
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { widenInputs } from '../../models/rl/widen.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { CandidateExtractor } from '../../runtime/scheduler/candidate-extractor.js';
import { FEATURE_COUNT, FEATURE_COUNT_V1 } from '../../runtime/scheduler/features.js';

t.test('the widened network gives the same scores, bit for bit', async (t) => {
  const v1 = new Mlp([FEATURE_COUNT_V1, 12, 8, 1], new Rng(5));
  const wide = widenInputs(v1, FEATURE_COUNT);
  t.same(wide.sizes, [FEATURE_COUNT, 12, 8, 1]);
  const sim = new Simulator(generateScenario(loadWorkload('train-v1'), { seed: 3, load: 1.1, taskCount: 120 }));
  const extractor = new CandidateExtractor();
  let rows = 0;
  let differing = 0;
  let nonZeroV2 = 0;
  for (let step = 0; !sim.done && step < 40; step++) {
    const c = extractor.extract(sim.observation(), true, { oldestTasksMax: 0, shortestTasksMax: 16 });
    const narrow = new Float32Array(c.rows * FEATURE_COUNT_V1);
    for (let r = 0; r < c.rows; r++) {
      narrow.set(c.features.subarray(r * FEATURE_COUNT, r * FEATURE_COUNT + FEATURE_COUNT_V1), r * FEATURE_COUNT_V1);
      for (let k = FEATURE_COUNT_V1; k < FEATURE_COUNT; k++) if (c.features[r * FEATURE_COUNT + k] !== 0) nonZeroV2++;
    }
    const a = v1.forward(narrow, c.rows);
    const b = wide.forward(c.features, c.rows);
    for (let r = 0; r < c.rows; r++) if (!Object.is(a[r], b[r]) && a[r] !== b[r]) differing++;
    rows += c.rows;
    sim.step([]);
  }
  t.ok(rows > 100, `${rows} candidate rows scored`);
  t.ok(nonZeroV2 > 100, 'the new columns carry values, so the zero weights are what keeps the scores');
  t.equal(differing, 0, 'no score differs');
  t.throws(() => widenInputs(wide, FEATURE_COUNT_V1), /inputs 32 < the network's 39/, 'narrowing is refused');
});

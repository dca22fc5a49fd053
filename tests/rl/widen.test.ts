// widen.ts: a network of an earlier schema (v1: 32 inputs, v2: 39) widened to the current schema with zero weights for
// the new columns scores every candidate exactly as the original scores its own columns, so training can start from
// the old policy.
import t from 'tap';
import { heuristicByName } from '../../models/rl/heuristics.js';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { widenInputs } from '../../models/rl/widen.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { CandidateExtractor } from '../../runtime/scheduler/candidate-extractor.js';
import { FEATURE_COUNT, FEATURE_COUNT_V1, FEATURE_COUNT_V2 } from '../../runtime/scheduler/features.js';

for (const from of [FEATURE_COUNT_V1, FEATURE_COUNT_V2]) {
  t.test(`a ${from}-input network widened gives the same scores, bit for bit`, async (t) => {
    const old = new Mlp([from, 12, 8, 1], new Rng(5));
    const wide = widenInputs(old, FEATURE_COUNT);
    t.same(wide.sizes, [FEATURE_COUNT, 12, 8, 1]);
    const sim = new Simulator(generateScenario(loadWorkload('train-v1'), { seed: 3, load: 1.1, taskCount: 120 }));
    // tasks are placed (shortest first) at every third step, so agents run work (the late-work column carries values)
    // while queues still build up (the capability columns do)
    const sjf = heuristicByName('sjf');
    const extractor = new CandidateExtractor();
    let rows = 0;
    let differing = 0;
    const nonZero = new Array<number>(FEATURE_COUNT).fill(0);
    for (let step = 0; !sim.done && step < 80; step++) {
      const obs = sim.observation();
      const c = extractor.extract(obs, true, { oldestTasksMax: 0, shortestTasksMax: 16 });
      const narrow = new Float32Array(c.rows * from);
      for (let r = 0; r < c.rows; r++) {
        narrow.set(c.features.subarray(r * FEATURE_COUNT, r * FEATURE_COUNT + from), r * from);
        for (let k = from; k < FEATURE_COUNT; k++) if (c.features[r * FEATURE_COUNT + k] !== 0) nonZero[k]!++;
      }
      const a = old.forward(narrow, c.rows);
      const b = wide.forward(c.features, c.rows);
      for (let r = 0; r < c.rows; r++) if (!Object.is(a[r], b[r]) && a[r] !== b[r]) differing++;
      rows += c.rows;
      sim.step(step % 3 === 0 ? (sjf.decide(obs) as never) : []);
    }
    t.ok(rows > 100, `${rows} candidate rows scored`);
    const silent = nonZero.flatMap((n, k) => (k >= from && n === 0 ? [k] : []));
    t.same(silent, [], 'every new column carries values, so the zero weights are what keeps the scores');
    t.equal(differing, 0, 'no score differs');
    t.throws(
      () => widenInputs(wide, from),
      new RegExp(`inputs ${from} < the network's ${FEATURE_COUNT}`),
      'narrowing is refused',
    );
  });
}

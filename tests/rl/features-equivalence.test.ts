// The allocation-free extractor and selection (runtime/scheduler/candidate-extractor.ts, rl-select.ts) against frozen
// copies of the first implementations (reference-features-v1.ts for columns 0..31, reference-features-v2.ts for the
// schema-v2 columns): bit-identical feature rows, the same row order, wait row and placements, on simulator
// observations of several workloads, loads, limits and both wait settings. One extractor instance is reused
// throughout, so stale rows from a larger earlier decision would show up here.
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { CandidateExtractor, extractCandidates } from '../../runtime/scheduler/candidate-extractor.js';
import {
  type CandidateLimits,
  type Candidates,
  DEFAULT_LIMITS,
  FEATURE_COUNT,
} from '../../runtime/scheduler/features.js';
import { rankRows, selectPlacements } from '../../runtime/scheduler/rl-select.js';
import { referenceExtractCandidates, referenceRankRows, referenceSelectPlacements } from './reference-features-v1.js';
import { referenceWithV2Columns } from './reference-features-v2.js';

const LIMITS: CandidateLimits[] = [
  DEFAULT_LIMITS,
  { oldestTasksMax: 0, shortestTasksMax: 16 },
  { oldestTasksMax: 2, shortestTasksMax: 5, oldestPerCapabilityMax: 1 },
];

/** First difference between two candidate sets, or '' when identical to the bit. */
function difference(a: Candidates, b: Candidates): string {
  if (a.rows !== b.rows) return `rows ${a.rows} != ${b.rows}`;
  if (a.waitRow !== b.waitRow) return `waitRow ${a.waitRow} != ${b.waitRow}`;
  if (a.features.length !== b.features.length) return `features length ${a.features.length} != ${b.features.length}`;
  const x = new Uint32Array(a.features.buffer, a.features.byteOffset, a.features.length);
  const y = new Uint32Array(b.features.buffer, b.features.byteOffset, b.features.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i])
      return `row ${Math.floor(i / FEATURE_COUNT)} feature ${i % FEATURE_COUNT}: ${a.features[i]} != ${b.features[i]}`;
  }
  for (let r = 0; r < a.rows; r++) {
    if (a.taskIndex[r] !== b.taskIndex[r] || a.agentIndex[r] !== b.agentIndex[r]) return `row ${r} indices differ`;
  }
  return '';
}

t.test('optimized extractor and selection == previous implementation, bit for bit', async (t) => {
  const net = new Mlp([FEATURE_COUNT, 16, 1], new Rng(3));
  const extractor = new CandidateExtractor();
  let compared = 0;
  let multiTask = 0;
  let placed = 0;
  const failures: string[] = [];
  const runs = [
    { workload: 'train-v1', load: 0.7, seed: 21 },
    { workload: 'train-v1', load: 1.5, seed: 22 },
    { workload: 'mix-shift-v1', load: 1.1, seed: 23 },
    { workload: 'bursty-v1', load: 0.9, seed: 24 },
  ];
  for (const [k, run] of runs.entries()) {
    const sim = new Simulator(
      generateScenario(loadWorkload(run.workload), { seed: run.seed, load: run.load, taskCount: 150 }),
    );
    for (let step = 0; !sim.done && step < 90; step++) {
      const obs = sim.observation();
      const limits = LIMITS[(step + k) % LIMITS.length]!;
      const withWait = step % 4 !== 3;
      const ref = referenceWithV2Columns(obs, referenceExtractCandidates(obs, withWait, limits));
      const views = extractor.extract(obs, withWait, limits);
      const diff = difference(views, ref) || difference(extractCandidates(obs, withWait, limits), ref);
      if (diff) failures.push(`${run.workload} load ${run.load} step ${step}: ${diff}`);
      const scores = net.forward(ref.features, ref.rows);
      // ties between rows are part of what must match: quantize some scores so equal values occur
      if (step % 2 === 0) for (let r = 0; r < scores.length; r++) scores[r] = Math.round(scores[r]! * 4) / 4;
      // Float32Array scores take the packed-key sort, plain arrays the comparator sort: both must match
      const given = step % 3 === 0 ? Array.from(scores) : scores;
      const want = referenceSelectPlacements(obs, ref, given);
      const got = selectPlacements(obs, views, given);
      if (rankRows(views, given).join() !== referenceRankRows(ref, given).join())
        failures.push(`${run.workload} step ${step}: rankRows differ`);
      if (JSON.stringify(got) !== JSON.stringify(want))
        failures.push(`${run.workload} step ${step}: placements differ`);
      if (new Set(ref.taskIndex).size > 2) multiTask++;
      placed += want.placements.length;
      compared++;
      sim.step(want.placements);
    }
  }
  t.same(failures.slice(0, 5), [], 'no difference');
  t.ok(compared >= 300, `compared ${compared} observations`);
  t.ok(multiTask >= 50, `${multiTask} of them with several window tasks`);
  t.ok(placed >= 100, `${placed} placements compared`);
});

t.test('extractCandidates returns arrays of its own: a later call does not change them', async (t) => {
  const sim = new Simulator(generateScenario(loadWorkload('train-v1'), { seed: 5, load: 1.1, taskCount: 40 }));
  const first = extractCandidates(sim.observation());
  const copy = first.features.slice();
  sim.step([]);
  extractCandidates(sim.observation(), false, { oldestTasksMax: 1, shortestTasksMax: 1 });
  t.same(first.features, copy, 'features kept');
});

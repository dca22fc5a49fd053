// ES fine-tuning (models/rl/es-tune.ts): deterministic from its seed, a resumed run equals an uninterrupted one, worker
// threads (es-pool.ts) give the serial numbers, the gradient estimate points towards the better perturbation, and a bad
// config names its field.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { averageSnapshots } from '../../models/rl/es-average.js';
import { EsWorkerPool } from '../../models/rl/es-pool.js';
import {
  checkEsConfig,
  defaultEsConfig,
  type EsCheckpoint,
  type EsSnapshot,
  type EsTask,
  EsTuner,
  flatten,
  rankGradient,
  saveEsCheckpoint,
  scenarioOf,
  stepScales,
} from '../../models/rl/es-tune.js';
import { Mlp } from '../../models/rl/mlp.js';
import { shipEsCheckpoint } from '../../models/rl/ship-es.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { checkCard } from '../../runtime/scheduler/model-card.js';

const shipped = new URL('../../models/shipped/', import.meta.url).pathname;
const base = Mlp.fromJSON(JSON.parse(readFileSync(`${shipped}scheduler.weights.json`, 'utf8')));
const card = JSON.parse(readFileSync(`${shipped}scheduler.card.json`, 'utf8'));
const rl = { withWait: card.withWait, limits: card.limits };
const w = loadWorkload('train-v1');
const task: EsTask = {
  workload: 'train-v1',
  taskCount: 80,
  validation: [generateScenario(w, { seed: 11, load: 1.1, taskCount: 80 })],
};
const config = { ...defaultEsConfig(5), pairs: 2, scenariosPerGeneration: 1, validateEvery: 2 };

t.test('deterministic from the seed; resume from a saved checkpoint equals the uninterrupted run', async (t) => {
  const a = EsTuner.start(base, rl, config, task);
  for (let i = 0; i < 3; i++) await a.step();
  const b = EsTuner.start(base, rl, config, task);
  for (let i = 0; i < 2; i++) await b.step();
  const saved = JSON.parse(JSON.stringify(b.checkpoint)) as EsCheckpoint;
  const c = EsTuner.resume(saved, task);
  await c.step();
  t.same(c.checkpoint.theta, a.checkpoint.theta, 'same weights after 3 generations');
  t.same(c.checkpoint.curve, a.checkpoint.curve, 'same learning curve');
  t.equal(a.checkpoint.generation, 3);
  const moved = a.checkpoint.theta.some((x, i) => x !== flatten(base)[i]);
  t.ok(moved, 'the weights moved');
  t.ok(
    a.checkpoint.curve.every((p) => p.generation === 0 || Number.isFinite(p.train)),
    'finite fitness',
  );
  t.ok(Number.isFinite(a.checkpoint.best.validation), 'validated');
  t.same(
    Array.from(flatten(a.network()), Math.fround),
    a.checkpoint.theta.map(Math.fround),
    'network() = current weights',
  );
});

t.test('the rank gradient points towards the perturbation that lowered the fitness', async (t) => {
  const e = Float64Array.from([1, -2, 0.5]);
  // pair 0: +e gave 0.9, -e gave 1.1 (lower is better)
  const g = rankGradient([0.9, 1.1], [e], 0.1);
  const dot = g.reduce((s, x, i) => s + x * e[i]!, 0);
  t.ok(dot > 0, `ascent direction along +e (dot ${dot})`);
  const g2 = rankGradient([1.1, 0.9], [e], 0.1);
  t.ok(g2.reduce((s, x, i) => s + x * e[i]!, 0) < 0, 'and along -e when -e is better');
});

t.test('a bad config names the field', async (t) => {
  t.throws(() => checkEsConfig({ ...config, sigma: 0 }), /sigma/);
  t.throws(() => checkEsConfig({ ...config, pairs: 1.5 }), /pairs/);
  t.throws(() => checkEsConfig({ ...config, seedBase: 900, seedCount: 200 }), /seedBase/);
  t.throws(() => checkEsConfig({ ...config, loads: [] }), /loads/);
  t.throws(() => checkEsConfig({ ...config, newInputs: { from: 2.5, factor: 10 } }), /newInputs/);
  t.throws(() => checkEsConfig({ ...config, newInputs: { from: 32, factor: 0 } }), /newInputs/);
  t.throws(() => checkEsConfig({ ...config, newInputs: { from: 32, factor: 1, others: -1 } }), /newInputs/);
});

t.test("workloads: cycled over a generation's scenarios, each scenario built from its own workload", async (t) => {
  const family = new URL('../../models/workloads/family/train-v1-mem-b.json', import.meta.url).pathname;
  t.throws(() => checkEsConfig({ ...config, workloads: [] }), /workloads/);
  t.throws(() => checkEsConfig({ ...config, scenariosPerGeneration: 3, workloads: ['train-v1', family] }), /multiple/);
  const seen: string[][] = [];
  const recorder = {
    evaluate: async (thetas: readonly Float64Array[], specs: readonly { workload: string }[]) => {
      seen.push(specs.map((s) => s.workload));
      return thetas.map((_, i) => 1 + i / 100);
    },
  };
  const run = EsTuner.start(base, rl, { ...config, scenariosPerGeneration: 4, workloads: ['train-v1', family] }, task);
  await run.step(recorder);
  await run.step(recorder);
  t.same(seen, [
    ['train-v1', family, 'train-v1', family],
    ['train-v1', family, 'train-v1', family],
  ]);
  // the family member differs from train-v1 only in the batch class's memory, so its scenarios must too
  const batchMem = (workload: string) =>
    scenarioOf({ workload, seed: 600, load: 1.1, taskCount: 400 })
      .tasks.filter((x) => x.capability === 'compute.batch')
      .map((x) => x.demand.memoryMb);
  t.ok(Math.max(...batchMem(family)) > 2048, "the family member draws batch memory above train-v1's 2048 MB");
  t.ok(Math.max(...batchMem('train-v1')) <= 2048);
});

t.test('newInputs: only the first-layer weights of the new columns get the larger sigma and step', async (t) => {
  const sizes = [5, 3, 2, 1];
  const scale = stepScales(sizes, { ...config, newInputs: { from: 3, factor: 10 } });
  t.equal(scale.length, flatten(new Mlp(sizes)).length, 'one factor per weight, in flatten order');
  const big = [...scale.keys()].filter((i) => scale[i] === 10);
  // layer 0 is [3 outputs x 5 inputs]: columns 3 and 4 of each row
  t.same(big, [3, 4, 8, 9, 13, 14]);
  t.ok(
    stepScales(sizes, config).every((x) => x === 1),
    'absent = 1 everywhere',
  );
  t.throws(
    () => EsTuner.start(base, rl, { ...config, newInputs: { from: base.sizes[0]!, factor: 10 } }, task),
    /newInputs\.from/,
    'a column range past the network is refused at start',
  );
  const frozen = stepScales(sizes, { ...config, newInputs: { from: 3, factor: 10, others: 0 } });
  t.same(
    [...frozen.keys()].filter((i) => frozen[i] !== 0),
    big,
    'others 0: only the new columns move',
  );
  // on the shipped network, its last 8 columns as the "new" ones: after a few generations they moved about `factor`
  // times more per weight than the others
  const from = base.sizes[0]! - 8;
  const run = EsTuner.start(base, rl, { ...config, newInputs: { from, factor: 10 } }, task);
  for (let i = 0; i < 3; i++) await run.step();
  const before = flatten(base);
  const moved = { fresh: 0, old: 0, nFresh: 0, nOld: 0 };
  const inputs = base.sizes[0]!;
  for (let i = 0; i < inputs * base.sizes[1]!; i++) {
    const d = Math.abs(run.checkpoint.theta[i]! - before[i]!);
    if (i % inputs >= from) {
      moved.fresh += d;
      moved.nFresh++;
    } else {
      moved.old += d;
      moved.nOld++;
    }
  }
  const ratio = moved.fresh / moved.nFresh / (moved.old / moved.nOld);
  t.ok(ratio > 5 && ratio < 20, `new columns moved ${ratio.toFixed(1)} times more per weight`);
});

t.test(
  'ship-es writes a card that keeps the base value recipe (site fine-tuning reads it) and records the ES stage',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'agentos-es-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const run = EsTuner.start(base, rl, config, task);
    for (let i = 0; i < 2; i++) await run.step();
    saveEsCheckpoint(join(dir, 'checkpoint.json'), run.checkpoint);
    shipEsCheckpoint(join(dir, 'checkpoint.json'), dir, '9.9', `${shipped}scheduler.card.json`, { note: 'test' });
    const shippedCard = checkCard(JSON.parse(readFileSync(join(dir, 'scheduler.card.json'), 'utf8')));
    t.equal(shippedCard.version, '9.9');
    t.same(shippedCard.training['hyperparameters'], card.training.hyperparameters, 'base value recipe kept');
    const es = shippedCard.training['es'] as { generations: number; note: string };
    t.equal(es.generations, 2);
    t.equal(es.note, 'test');
    const weights = Mlp.fromJSON(JSON.parse(readFileSync(join(dir, 'scheduler.weights.json'), 'utf8')));
    t.same([...flatten(weights)], [...flatten(Mlp.fromJSON(run.checkpoint.best.net))], 'the best network is shipped');
  },
);

t.test('worker threads give exactly the serial run', async (t) => {
  const serial = EsTuner.start(base, rl, config, task);
  for (let i = 0; i < 2; i++) await serial.step();
  const pool = new EsWorkerPool(2, { sizes: [...base.sizes], rl });
  t.teardown(() => pool.close());
  const parallel = EsTuner.start(base, rl, config, task);
  for (let i = 0; i < 2; i++) await parallel.step(pool);
  t.same(parallel.checkpoint.theta, serial.checkpoint.theta, 'same weights');
  t.same(parallel.checkpoint.curve, serial.checkpoint.curve, 'same fitness and validation');
  t.throws(() => new EsWorkerPool(0, { sizes: [...base.sizes], rl }), /threads/);
});

t.test('snapshots average weight by weight, and a chosen snapshot ships with its origin on the card', async (t) => {
  const a = EsTuner.start(base, rl, config, task);
  const snap = (g: number): EsSnapshot => ({
    kind: 'es-snapshot',
    generation: g,
    validation: 1,
    rl,
    net: a.network().toJSON(),
  });
  await a.step();
  const s1 = snap(1);
  await a.step();
  const s2 = snap(2);
  const avg = averageSnapshots([s1, s2]);
  t.same(avg.averageOf, [1, 2]);
  const mid = s1.net.layers[0]!.w.map((x, i) => Math.fround((x + s2.net.layers[0]!.w[i]!) / 2));
  t.same(avg.net.layers[0]!.w, mid, 'the mean of the two weights');
  const narrow = { ...s2, net: new Mlp([4, 1]).toJSON() };
  t.throws(() => averageSnapshots([s1, narrow]), /sizes differ/, 'different networks are refused');
  const dir = mkdtempSync(join(tmpdir(), 'es-snap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  saveEsCheckpoint(join(dir, 'checkpoint.json'), a.checkpoint);
  shipEsCheckpoint(join(dir, 'checkpoint.json'), dir, '9.9', `${shipped}scheduler.card.json`, {}, avg);
  const shippedCard = checkCard(JSON.parse(readFileSync(join(dir, 'scheduler.card.json'), 'utf8')));
  const es = shippedCard.training['es'] as { shipped: string };
  t.match(es.shipped, /weight average of the networks of generations 1, 2/);
  const weights = JSON.parse(readFileSync(join(dir, 'scheduler.weights.json'), 'utf8'));
  t.same(weights.layers[0].w, avg.net.layers[0]!.w, 'the average is what ships');
});

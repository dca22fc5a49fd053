// The learner's building blocks: MLP gradients against finite differences, training deterministic from a seed,
// checkpoints that resume where they stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { defaultDqnConfig } from '../../models/rl/train-config.js';
import { loadCheckpoint, type TrainOptions, train } from '../../models/rl/trainer.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';

t.test('backward matches finite differences', async (t) => {
  const rng = new Rng(9);
  const net = new Mlp([5, 7, 4, 1], rng);
  for (const l of net.layers) for (let i = 0; i < l.b.length; i++) l.b[i] = 0.1 + 0.05 * rng.normal();
  const x = new Float32Array(3 * 5).map(() => rng.normal());
  const loss = () => net.forward(x, 3).reduce((s, v) => s + v * v, 0) / 2;
  const q = net.forward(x, 3);
  const grads = net.backward(q); // d(sum q^2 / 2)/dq = q
  let worst = 0;
  for (let l = 0; l < net.layers.length; l++) {
    const w = net.layers[l]!.w;
    for (let i = 0; i < w.length; i += 3) {
      const keep = w[i]!;
      const h = 1e-2;
      w[i] = keep + h;
      const up = loss();
      w[i] = keep - h;
      const down = loss();
      w[i] = keep;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - grads[l]!.w[i]!) / Math.max(1, Math.abs(numeric)));
    }
  }
  t.ok(worst < 2e-2, `relative gradient error ${worst.toExponential(2)} < 2e-2`);
});

function options(outDir: string, episodes: number): TrainOptions {
  const w = loadWorkload('train-v1');
  return {
    episodes,
    loads: [0.7, 1.1],
    trainSeedBase: 100,
    valSeeds: [11],
    valLoads: [0.9],
    evalEvery: 2,
    checkpointEvery: 1,
    outDir,
    timeBudgetMs: 120_000,
    scenario: (seed, load) => generateScenario(w, { seed, load, taskCount: 80 }),
    dqn: { ...defaultDqnConfig(3), hidden: [16, 8], warmupTransitions: 32, batchSize: 16 },
  };
}

t.test('same seed, same network; a checkpoint resumes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-train-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = train(options(join(dir, 'a'), 3));
  const b = train(options(join(dir, 'b'), 3));
  t.same(a.dqn.online, b.dqn.online, 'two runs with one seed end with identical weights');
  t.same(
    a.curve.map((p) => p.reward),
    b.curve.map((p) => p.reward),
    'and identical episode rewards',
  );
  t.ok(a.dqn.gradSteps > 0, `trained (${a.dqn.gradSteps} gradient steps)`);

  const saved = loadCheckpoint(join(dir, 'a', 'checkpoint.json'));
  t.equal(saved.episode, 3, 'checkpoint records the episodes done');
  const resumed = train({ ...options(join(dir, 'a'), 5), resume: saved });
  t.equal(resumed.episode, 5, 'resume continues to the new episode count');
  t.equal(resumed.curve.length, 5, 'the learning curve continues');
  t.ok(resumed.dqn.decisions > saved.dqn.decisions, 'decisions keep counting');
  t.ok(resumed.best !== null, 'the best validated network is kept');
});

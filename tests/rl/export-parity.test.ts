// The ONNX export computes what the TypeScript forward pass computes: random inputs and real candidate rows from the
// simulator, max abs difference < 1e-5; and the ONNX policy places exactly what the TS-forward policy places.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import { exportOnnx } from '../../models/rl/onnx-export.js';
import { Rng } from '../../models/rl/rng.js';
import { shipModel } from '../../models/rl/ship.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { extractCandidates } from '../../runtime/scheduler/candidate-extractor.js';
import { DEFAULT_LIMITS, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import { RlOnnxPolicy, RlTsPolicy } from '../../runtime/scheduler/policies/rl-policy.js';

async function onnxScores(bytes: Uint8Array, x: Float32Array, rows: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const out = await s.run({ features: new ort.Tensor('float32', x, [rows, FEATURE_COUNT]) });
    return out.q!.data as Float32Array;
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

t.test('random network, random inputs: ONNX == TS forward to 1e-5, any batch size', async (t) => {
  const rng = new Rng(42);
  const net = new Mlp([FEATURE_COUNT, 48, 32, 1], rng);
  for (const l of net.layers) for (let i = 0; i < l.b.length; i++) l.b[i] = rng.normal() * 0.1;
  const bytes = exportOnnx(net);
  for (const rows of [1, 7, 1000]) {
    const x = new Float32Array(rows * FEATURE_COUNT).map(() => rng.normal() * 2);
    const ts = net.forward(x, rows);
    const onnx = await onnxScores(bytes, x, rows);
    t.equal(onnx.length, rows, `output has one score per row (${rows})`);
    t.ok(maxAbsDiff(ts, onnx) < 1e-5, `rows=${rows} max abs diff ${maxAbsDiff(ts, onnx)} < 1e-5`);
  }
});

t.test('ONNX policy and TS policy decide identically on simulator observations', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-parity-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const net = new Mlp([FEATURE_COUNT, 32, 16, 1], new Rng(7));
  const card = cardSkeleton([...net.sizes], true, DEFAULT_LIMITS);
  const path = shipModel(net, card, dir, 'parity');
  const onnx = await RlOnnxPolicy.load(path, join(dir, 'parity.card.json'));
  t.teardown(() => onnx.close());
  const ts = new RlTsPolicy(net, { withWait: true, limits: DEFAULT_LIMITS });
  const sim = new Simulator(generateScenario(loadWorkload('train-v1'), { seed: 11, load: 1.1, taskCount: 200 }));
  let decisions = 0;
  let worst = 0;
  while (!sim.done && decisions < 150) {
    const obs = sim.observation();
    const cands = extractCandidates(obs, true, DEFAULT_LIMITS);
    worst = Math.max(
      worst,
      maxAbsDiff(net.forward(cands.features, cands.rows), await onnx.score(cands.features, cands.rows)),
    );
    const a = ts.decide(obs);
    const b = await onnx.decide(obs);
    t.same(b, a, `decision ${decisions} at t=${obs.nowMs}`);
    sim.step(a);
    decisions++;
  }
  t.ok(decisions > 50, `compared ${decisions} decisions`);
  t.ok(worst < 1e-5, `candidate scores max abs diff ${worst} < 1e-5`);
});

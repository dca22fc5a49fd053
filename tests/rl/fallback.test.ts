// A missing, corrupt or feature-mismatched model is refused with one clear log line and the named heuristic is used.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { heuristicByName } from '../../models/rl/heuristics.js';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { shipModel } from '../../models/rl/ship.js';
import { DEFAULT_LIMITS, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import { loadSchedulerPolicy } from '../../runtime/scheduler/load-policy.js';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import { RlOnnxPolicy } from '../../runtime/scheduler/policies/rl-policy.js';

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  return {
    lines,
    info: (msg: string) => lines.push({ level: 'info', msg }),
    warn: (msg: string) => lines.push({ level: 'warn', msg }),
  };
}

t.test('fallback cases', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-fallback-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const net = new Mlp([FEATURE_COUNT, 16, 1], new Rng(3));
  const good = shipModel(net, cardSkeleton([...net.sizes], true, DEFAULT_LIMITS), dir, 'good');
  const goodCard = join(dir, 'good.card.json');

  const expectFallback = async (name: string, modelPath: string, cardPath: string, reason: RegExp) => {
    const log = recorder();
    const p = await loadSchedulerPolicy({ modelPath, cardPath, fallback: 'sjf' }, log, heuristicByName);
    t.equal(p.name, 'sjf', `${name}: falls back to the named heuristic`);
    t.equal(log.lines.length, 1, `${name}: exactly one log line`);
    t.equal(log.lines[0]?.level, 'warn', `${name}: logged as a warning`);
    t.match(log.lines[0]?.msg ?? '', reason, `${name}: the line says why`);
    t.match(log.lines[0]?.msg ?? '', /falling back to heuristic "sjf"/, `${name}: the line names the heuristic`);
  };

  await t.test('valid model loads as rl', async (t) => {
    const log = recorder();
    const p = await loadSchedulerPolicy({ modelPath: good, cardPath: goodCard }, log, heuristicByName);
    t.equal(p.name, 'rl');
    t.ok(p instanceof RlOnnxPolicy);
    t.equal(log.lines.length, 1);
    await (p as RlOnnxPolicy).close();
  });

  await t.test('missing model', async () => {
    await expectFallback('missing', join(dir, 'nope.onnx'), goodCard, /unreadable/);
  });

  await t.test('missing card', async () => {
    await expectFallback('missing card', good, join(dir, 'nope.card.json'), /model card .* unreadable/);
  });

  await t.test('corrupt model bytes', async () => {
    const bad = join(dir, 'corrupt.onnx');
    writeFileSync(bad, Buffer.from('this is not an onnx model, just text'));
    await expectFallback('corrupt', bad, goodCard, /rejected by onnxruntime/);
  });

  await t.test('truncated model', async () => {
    const bad = join(dir, 'truncated.onnx');
    const bytes = readFileSync(good);
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectFallback('truncated', bad, goodCard, /rejected by onnxruntime/);
  });

  await t.test('card with another feature schema', async () => {
    const card = JSON.parse(readFileSync(goodCard, 'utf8'));
    card.featureSchemaHash = '0000000000000000';
    const path = join(dir, 'mismatch.card.json');
    writeFileSync(path, JSON.stringify(card));
    await expectFallback('hash mismatch', good, path, /featureSchemaHash/);
  });

  await t.test('card with an unknown free-time model', async () => {
    const card = JSON.parse(readFileSync(goodCard, 'utf8'));
    card.freeTime = 'psychic';
    const path = join(dir, 'free-time.card.json');
    writeFileSync(path, JSON.stringify(card));
    await expectFallback('free-time model', good, path, /freeTime must be one of estimate, fitted/);
  });

  await t.test('card that is not JSON', async () => {
    const path = join(dir, 'garbage.card.json');
    writeFileSync(path, '{ not json');
    await expectFallback('card not JSON', good, path, /not JSON/);
  });

  await t.test('model whose input width differs from the extractor', async () => {
    const wide = new Mlp([FEATURE_COUNT + 3, 8, 1], new Rng(4));
    const wdir = mkdtempSync(join(dir, 'wide-'));
    const path = shipModel(wide, cardSkeleton([...net.sizes], true, DEFAULT_LIMITS), wdir, 'wide');
    copyFileSync(goodCard, join(wdir, 'ok.card.json'));
    await expectFallback('input width', path, join(wdir, 'ok.card.json'), /does not take \d+ features/);
  });

  await t.test('explicit heuristic is used without touching the model', async (t) => {
    const log = recorder();
    const p = await loadSchedulerPolicy(
      { policy: 'least-loaded', modelPath: join(dir, 'nope.onnx') },
      log,
      heuristicByName,
    );
    t.equal(p.name, 'least-loaded');
    t.same(
      log.lines.map((l) => l.level),
      ['info'],
    );
  });
});

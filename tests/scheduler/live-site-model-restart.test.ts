// A gateway restarting with <dataDir>/scheduler/active-model.json (written when a retrained model was swapped in)
// loads that site model, validated like the shipped one; a corrupt site model costs one warning line and the shipped
// model runs; when the configured model is refused too, the configured heuristic runs (and retraining says why it
// cannot). A site model tuned from another version of the configured model is left aside with one warning.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { Mlp, type MlpJson } from '../../models/rl/mlp.js';
import { shipModel } from '../../models/rl/ship.js';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { ACTIVE_MODEL_FORMAT, writeActiveModel } from '../../runtime/scheduler/active-model.js';
import { cardPathFor, defaultModelPath } from '../../runtime/scheduler/load-policy.js';
import type { ModelCard } from '../../runtime/scheduler/model-card.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import type { Teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';

const shipped = defaultModelPath();
const shippedCard = JSON.parse(readFileSync(cardPathFor(shipped), 'utf8')) as ModelCard;

/** a site model as a retrain writes it (the shipped network under a site version) and the pointer to it */
async function siteModel(dataDir: string, baseVersion = shippedCard.version): Promise<string> {
  const schedulerDir = join(dataDir, 'scheduler');
  const dir = join(schedulerDir, 'models', 'site-1');
  mkdirSync(dir, { recursive: true });
  const weights = JSON.parse(readFileSync(shipped.replace(/\.onnx$/, '.weights.json'), 'utf8')) as MlpJson;
  const version = `${shippedCard.version}-site.1`;
  const modelPath = shipModel(Mlp.fromJSON(weights), { ...shippedCard, version }, dir);
  await writeActiveModel(schedulerDir, {
    format: ACTIVE_MODEL_FORMAT,
    modelPath,
    modelVersion: version,
    site: 1,
    baseModelPath: shipped,
    baseVersion,
    acceptedAt: new Date().toISOString(),
    heldOut: { candidate: 1.5, running: 1.6, windows: 2 },
  });
  return modelPath;
}

/** starts a gateway on dataDir; returns its scheduler log lines and model.status */
async function boot(t: Teardown, dataDir: string, scheduler: Record<string, unknown> = {}) {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const gw = await startGateway(t, { dataDir, logger, config: { scheduler } });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 15_000 });
  t.teardown(() => api.close());
  const status = await api.call<Record<string, unknown>>('model.status');
  return { gw, api, status, lines: lines.filter((l) => String(l.msg).startsWith('scheduler:')) };
}

t.test('restart with active-model.json loads the site model', async (t) => {
  const dataDir = await tempDir(t, 'site-restart-');
  const modelPath = await siteModel(dataDir);
  const { status, lines } = await boot(t, dataDir);
  t.equal(lines.length, 1, 'one scheduler line');
  t.equal(lines[0]!.level, 30);
  t.equal(
    lines[0]!.msg,
    `scheduler: policy "rl" site model agentos-scheduler-dqn v${shippedCard.version}-site.1 (${modelPath})`,
  );
  t.match(status, { policy: 'rl', source: 'site', modelPath, version: `${shippedCard.version}-site.1`, swaps: 0 });
});

t.test('a corrupt site model: one warning, the shipped model runs', async (t) => {
  const dataDir = await tempDir(t, 'site-restart-bad-');
  const modelPath = await siteModel(dataDir);
  writeFileSync(modelPath, 'not a model');
  const { status, lines } = await boot(t, dataDir);
  t.equal(lines.length, 2, 'the warning and the shipped model line');
  t.equal(lines[0]!.level, 40, 'a warning');
  t.match(
    lines[0]!.msg,
    /^scheduler: site model refused \(model .* rejected by onnxruntime.*\); using the shipped model$/,
  );
  t.match(lines[1]!.msg, /^scheduler: policy "rl" model agentos-scheduler-dqn v/);
  t.equal(lines.filter((l) => l.level >= 40).length, 1, 'exactly one warning');
  t.match(status, { policy: 'rl', source: 'shipped', modelPath: shipped, version: shippedCard.version });
});

t.test('site model and configured model both refused: the configured heuristic', async (t) => {
  const dataDir = await tempDir(t, 'site-restart-both-');
  const modelPath = await siteModel(dataDir);
  writeFileSync(modelPath, 'not a model');
  const bad = join(dataDir, 'bad.onnx');
  writeFileSync(bad, 'not a model');
  writeFileSync(cardPathFor(bad), '{}');
  const { status, lines, api } = await boot(t, dataDir, { modelPath: bad, fallback: 'sjf' });
  t.match(
    lines.map((l) => l.msg),
    [/site model refused .*; using the configured model$/, /model refused .*falling back to heuristic "sjf"$/],
  );
  t.match(status, { policy: 'sjf', source: 'heuristic', modelPath: null });
  t.match(await errorBody(api.call('model.retrain', { episodes: 0 })), {
    code: 'unavailable',
    message: /the running policy is the heuristic "sjf", not a model/,
  });
});

t.test('a site model tuned from another model version is left aside', async (t) => {
  const dataDir = await tempDir(t, 'site-restart-old-');
  await siteModel(dataDir, '0.9');
  const { status, lines } = await boot(t, dataDir);
  t.equal(lines.filter((l) => l.level >= 40).length, 1, 'one warning');
  t.match(lines[0]!.msg, /was tuned from v0\.9, the configured model is now v.*; using the shipped model$/);
  t.match(status, { source: 'shipped' });
});

// `agentos start` loads the shipped model as its scheduling policy with no training step; a corrupt model configured
// instead is refused with one warning line and the gateway runs on the named heuristic.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { spawnGateway } from '../helpers/gateway-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const schedulerLines = (logs: Array<Record<string, unknown>>) =>
  logs.filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('scheduler:'));

t.test('gateway starts with the shipped rl model', async (t) => {
  const gw = await spawnGateway(t);
  const lines = await waitFor(
    () => {
      const s = schedulerLines(gw.logs);
      return s.length > 0 ? s : undefined;
    },
    30_000,
    'a scheduler log line',
  );
  t.equal(lines.length, 1, 'one scheduler line');
  t.match(
    String(lines[0]!['msg']),
    /^scheduler: policy "rl" model agentos-scheduler-dqn v/,
    'the shipped model is in use',
  );
  t.equal(await gw.stop(), 0, 'clean exit');
});

t.test('gateway falls back to the named heuristic on a corrupt model', async (t) => {
  const dir = await tempDir(t, 'rl-gw-');
  const model = join(dir, 'bad.onnx');
  writeFileSync(model, 'not a model');
  writeFileSync(join(dir, 'bad.card.json'), '{}');
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ scheduler: { policy: 'rl', modelPath: model, fallback: 'sjf' } }));
  const gw = await spawnGateway(t, { args: ['--config', config] });
  const lines = await waitFor(
    () => {
      const s = schedulerLines(gw.logs);
      return s.length > 0 ? s : undefined;
    },
    30_000,
    'a scheduler log line',
  );
  t.equal(lines.length, 1, 'exactly one line');
  t.equal(lines[0]!['level'], 40, 'logged as a warning (pino level 40)');
  t.match(
    String(lines[0]!['msg']),
    /model refused \(model card: featureSchemaVersion .*falling back to heuristic "sjf"/,
  );
  t.equal(await gw.stop(), 0, 'clean exit');
});

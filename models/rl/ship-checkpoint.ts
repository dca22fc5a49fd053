// `node --import tsx models/rl/ship-checkpoint.ts CKPT DIR [VERSION]`: exports a checkpoint's best validated network
// as DIR/scheduler.onnx with its card (JSON and markdown) and weights, without training further.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import { Mlp } from './mlp.js';
import { shipModel } from './ship.js';
import { trainingProvenance } from './train-config.js';
import { loadCheckpoint } from './trainer.js';

export function shipCheckpoint(
  ckptPath: string,
  dir: string,
  version: string,
  extra: Record<string, unknown> = {},
): string {
  const ck = loadCheckpoint(ckptPath);
  const net = Mlp.fromJSON(ck.best?.net ?? ck.dqn.online);
  const c = ck.dqn.config;
  const card = cardSkeleton([...net.sizes], c.rl.withWait, c.rl.limits);
  card.version = version;
  card.createdAt = new Date().toISOString();
  card.training = {
    algorithm:
      c.shaping === true
        ? 'DQN: per-candidate Q network, experience replay, target network, epsilon-greedy exploration around the online scores, heuristic demonstrations with the DQfD large-margin loss, potential-based reward shaping (placement run cost charged at the decision)'
        : 'DQN: per-candidate Q network, experience replay, target network, epsilon-greedy, heuristic demonstrations with the DQfD large-margin loss',
    ...trainingProvenance(ck),
    hyperparameters: { ...c, rl: undefined },
    ...extra,
  };
  card.metrics = { validationMeanSlowdown: ck.best?.validation ?? null };
  mkdirSync(dir, { recursive: true });
  return shipModel(net, card, dir);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [ckpt, dir, version] = process.argv.slice(2);
  if (!ckpt || !dir) {
    process.stderr.write('usage: ship-checkpoint.ts CKPT DIR [VERSION] [JSON-extra-training-fields]\n');
    process.exit(2);
  }
  const extra = process.argv[5] ? (JSON.parse(readFileSync(process.argv[5], 'utf8')) as Record<string, unknown>) : {};
  process.stdout.write(`${shipCheckpoint(resolve(ckpt), resolve(dir), version ?? '1', extra)}\n`);
}

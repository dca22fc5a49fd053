// `node --import tsx models/rl/ship-es.ts [--net SNAPSHOT] CKPT DIR VERSION [BASE-CARD] [EXTRA.json]`: exports an ES
// fine-tune's best validated network (models/rl/es-tune.ts), or with --net one of the run's snapshots or their average
// chosen by select-checkpoint.ts (es.ts's DIR/nets, es-average.ts), as DIR/scheduler.onnx with its card and weights.
// The card keeps the base network's DQN training record (BASE-CARD, default the shipped card) and records the ES stage
// under `training.es`, with the fields of EXTRA.json (for example how the run's starting network was made) added there.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cardSkeleton, checkCard } from '../../runtime/scheduler/model-card.js';
import { type EsSnapshot, loadEsCheckpoint, readEsSnapshot } from './es-tune.js';
import { Mlp } from './mlp.js';
import { shipModel } from './ship.js';

export function shipEsCheckpoint(
  ckptPath: string,
  dir: string,
  version: string,
  baseCardPath: string,
  extra: Record<string, unknown> = {},
  snapshot?: EsSnapshot,
): string {
  const ck = loadEsCheckpoint(ckptPath);
  const baseCard = checkCard(JSON.parse(readFileSync(baseCardPath, 'utf8')));
  if (snapshot && JSON.stringify(snapshot.rl) !== JSON.stringify(ck.rl))
    throw new TypeError("ship-es: the snapshot was not made with the checkpoint's candidate window");
  const net = Mlp.fromJSON(snapshot ? snapshot.net : ck.best.net);
  const card = cardSkeleton([...net.sizes], ck.rl.withWait, ck.rl.limits);
  card.version = version;
  card.createdAt = new Date().toISOString();
  const c = ck.config;
  // the gateway shows the model the free times it was trained with
  if (c.freeTime !== undefined && c.freeTime !== 'estimate') card.freeTime = c.freeTime;
  // the base's record stays at the top level: site fine-tuning (site-tune.ts) reads the value recipe of the network
  // from training.hyperparameters, and ES keeps the base's Q scale; the ES stage is recorded under `es`
  const b = baseCard.training;
  const before = String(b['algorithm']);
  // a base that was itself ES-tuned keeps its stage's record in esEarlier (oldest first)
  const earlier = [
    ...(Array.isArray(b['esEarlier']) ? (b['esEarlier'] as unknown[]) : []),
    ...(b['es'] ? [{ base: b['base'], ...(b['es'] as object) }] : []),
  ];
  card.training = {
    ...b,
    algorithm: before.includes('evolution strategies')
      ? `${before}; then (version ${version}) fine-tuned again by evolution strategies (training.es)`
      : `${before}; then (version ${version}) fine-tuned by evolution strategies on the objective itself: ` +
        'antithetic Gaussian weight perturbations run on common scenarios, fitness = mean slowdown / ' +
        "tuned Hungarian's on the same scenario, centered ranks, Adam; best network by validation (models/rl/es-tune.ts)",
    ...(earlier.length > 0 ? { esEarlier: earlier } : {}),
    base: `${baseCard.name} v${baseCard.version}`,
    es: {
      // cycled over each generation's scenarios (EsConfig.workloads); paths are relative to the repository
      trainWorkloads: c.workloads ?? ['train-v1'],
      trainLoads: c.loads,
      trainSeeds: `${c.seedBase}..${c.seedBase + c.seedCount - 1}, ${c.scenariosPerGeneration} per generation in order`,
      validation: 'train-v1 seeds 11, 12 x loads 0.7, 1.1, 1.5; mean of slowdown / tuned Hungarian',
      generations: ck.generation,
      bestGeneration: ck.best.generation,
      validationRelative: { start: ck.initialValidation, best: ck.best.validation },
      shipped: snapshot
        ? snapshot.averageOf
          ? `weight average of the networks of generations ${snapshot.averageOf.join(', ')} (es-average.ts), picked by select-checkpoint.ts`
          : `the network of generation ${snapshot.generation}, picked by select-checkpoint.ts`
        : `the best validated network (generation ${ck.best.generation})`,
      trainSeconds: Math.round(ck.trainSeconds),
      config: c,
      ...extra,
    },
  };
  card.metrics = snapshot ? {} : { validationRelativeToHungarian: ck.best.validation };
  mkdirSync(dir, { recursive: true });
  return shipModel(net, card, dir);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { net: { type: 'string' } } });
  const [ckpt, dir, version, baseCard, extraPath] = positionals;
  if (!ckpt || !dir || !version) {
    process.stderr.write('usage: ship-es.ts [--net SNAPSHOT] CKPT DIR VERSION [BASE-CARD] [EXTRA.json]\n');
    process.exit(2);
  }
  const base = baseCard ?? join(new URL('../shipped/', import.meta.url).pathname, 'scheduler.card.json');
  const extra = extraPath ? (JSON.parse(readFileSync(extraPath, 'utf8')) as Record<string, unknown>) : {};
  const snapshot = values.net ? readEsSnapshot(resolve(values.net)) : undefined;
  process.stdout.write(`${shipEsCheckpoint(resolve(ckpt), resolve(dir), version, resolve(base), extra, snapshot)}\n`);
}

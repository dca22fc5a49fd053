// `node --import tsx models/rl/widen.ts IN_DIR OUT_DIR VERSION [NAME]`: carries a model of the v1 feature schema (32
// inputs) over to the current schema by giving the new input columns zero weights, so the widened network scores every
// candidate exactly as before (the new features add 0 to every first-layer sum). Training (es.ts --init) can then learn
// to use them starting from the old policy instead of from scratch. The card keeps the old card's training record and
// metrics and notes the widening; the ONNX model, card and weights are written to OUT_DIR as a shipped model.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FEATURE_COUNT, FEATURE_COUNT_V1 } from '../../runtime/scheduler/features.js';
import { cardSkeleton, type ModelCard } from '../../runtime/scheduler/model-card.js';
import { Mlp, type MlpJson } from './mlp.js';
import { shipModel } from './ship.js';

/** `net` with `inputs` input columns: the first net.sizes[0] keep their weights, the rest get 0. */
export function widenInputs(net: Mlp, inputs: number): Mlp {
  const from = net.sizes[0]!;
  if (inputs < from) throw new RangeError(`widenInputs: inputs ${inputs} < the network's ${from}`);
  const wide = new Mlp([inputs, ...net.sizes.slice(1)]);
  for (let i = 0; i < net.layers.length; i++) {
    const src = net.layers[i]!;
    const dst = wide.layers[i]!;
    dst.b.set(src.b);
    if (i > 0) {
      dst.w.set(src.w);
      continue;
    }
    dst.w.fill(0);
    for (let o = 0; o < src.outputs; o++) dst.w.set(src.w.subarray(o * from, (o + 1) * from), o * inputs);
  }
  return wide;
}

/** Widens IN_DIR/NAME.{weights,card}.json (schema v1) into a shipped model of the current schema in `outDir`. */
export function widenShipped(inDir: string, outDir: string, version: string, name = 'scheduler'): string {
  const json = JSON.parse(readFileSync(join(inDir, `${name}.weights.json`), 'utf8')) as MlpJson;
  const net = Mlp.fromJSON(json);
  if (net.sizes[0] !== FEATURE_COUNT_V1)
    throw new RangeError(`${name}.weights.json: input width ${net.sizes[0]} != the v1 schema's ${FEATURE_COUNT_V1}`);
  // the old card is of the old schema, so checkCard would refuse it: only its record is carried over
  const old = JSON.parse(readFileSync(join(inDir, `${name}.card.json`), 'utf8')) as ModelCard;
  const wide = widenInputs(net, FEATURE_COUNT);
  const card = cardSkeleton([...wide.sizes], old.withWait, old.limits);
  card.name = old.name;
  card.version = version;
  card.createdAt = new Date().toISOString();
  card.training = {
    ...old.training,
    widened:
      `${old.name} v${old.version} (feature schema v${old.featureSchemaVersion}, hash ${old.featureSchemaHash}) ` +
      `with zero first-layer weights for features ${FEATURE_COUNT_V1}..${FEATURE_COUNT - 1}: the same scores (models/rl/widen.ts)`,
  };
  card.metrics = { ...old.metrics };
  mkdirSync(outDir, { recursive: true });
  return shipModel(wide, card, outDir, name);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [inDir, outDir, version, name] = process.argv.slice(2);
  if (!inDir || !outDir || !version) {
    process.stderr.write('usage: widen.ts IN_DIR OUT_DIR VERSION [NAME]\n');
    process.exit(2);
  }
  process.stdout.write(`${widenShipped(resolve(inDir), resolve(outDir), version, name)}\n`);
}

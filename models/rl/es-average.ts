// `node --import tsx models/rl/es-average.ts OUT.json SNAPSHOT...`: the weight average of several ES snapshots
// (es.ts writes one per validated generation to DIR/nets). Late in a run the weights wander around the optimum with
// the gradient noise; their mean cancels part of that noise (Polyak averaging), and is one more candidate for
// select-checkpoint.ts. The snapshots must share the network sizes and candidate window.
import { writeFileSync } from 'node:fs';
import { type EsSnapshot, flatten, readEsSnapshot, unflattenInto } from './es-tune.js';
import { Mlp } from './mlp.js';

export function averageSnapshots(snaps: readonly EsSnapshot[]): EsSnapshot {
  const first = snaps[0];
  if (!first) throw new RangeError('averageSnapshots: no snapshot');
  const sum = new Float64Array(flatten(Mlp.fromJSON(first.net)).length);
  for (const s of snaps) {
    if (s.net.sizes.join() !== first.net.sizes.join()) throw new TypeError('averageSnapshots: sizes differ');
    if (JSON.stringify(s.rl) !== JSON.stringify(first.rl)) throw new TypeError('averageSnapshots: rl options differ');
    const theta = flatten(Mlp.fromJSON(s.net));
    for (let i = 0; i < sum.length; i++) sum[i]! += theta[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= snaps.length;
  const net = Mlp.fromJSON(first.net);
  unflattenInto(net, sum);
  const generations = snaps.map((s) => s.generation);
  return {
    kind: 'es-snapshot',
    generation: Math.max(...generations),
    validation: null,
    rl: first.rl,
    net: net.toJSON(),
    averageOf: generations,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, ...paths] = process.argv.slice(2);
  if (!out || paths.length === 0) {
    process.stderr.write('usage: es-average.ts OUT.json SNAPSHOT...\n');
    process.exit(2);
  }
  const avg = averageSnapshots(paths.map(readEsSnapshot));
  writeFileSync(out, JSON.stringify(avg));
  process.stdout.write(`${JSON.stringify({ out, averageOf: avg.averageOf })}\n`);
}

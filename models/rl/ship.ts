// Writes a trained network as the shippable artefacts: NAME.onnx, NAME.card.json and NAME.card.md (the card in prose).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCard } from '../../runtime/scheduler/model-card.js';
import type { Mlp } from './mlp.js';
import { exportOnnx } from './onnx-export.js';

export function cardMarkdown(card: ModelCard): string {
  const lines = [
    `# Model card: ${card.name} v${card.version}`,
    '',
    `Per-candidate Q network (MLP ${card.sizes.join(' -> ')}, ReLU) trained by deep Q-learning in the scheduling`,
    'simulator (models/sim) and exported to ONNX (input `features` [batch x F], output `q` [batch x 1]). The gateway',
    'scores every feasible (task, agent) pair of the task window plus a "wait" row in one batched call and places the',
    'best-scored pairs greedily (runtime/scheduler/rl-select.ts).',
    '',
    `- feature schema: version ${card.featureSchemaVersion}, hash \`${card.featureSchemaHash}\` (checked at load)`,
    `- candidate window: ${card.limits.oldestTasksMax} oldest + ${card.limits.oldestPerCapabilityMax ?? 0} oldest per capability + ${card.limits.shortestTasksMax} shortest waiting tasks; wait row: ${card.withWait}`,
    `- created: ${card.createdAt}`,
    '',
    '## Features and normalization',
    '',
    '| # | feature | normalization |',
    '|---|---|---|',
    ...card.features.map((f, i) => `| ${i} | ${f.name} | ${f.norm.replace(/\|/g, '\\|')} |`),
    '',
    '## Training',
    '',
    '```json',
    JSON.stringify(card.training, null, 2),
    '```',
    '',
    '## Metrics',
    '',
    '```json',
    JSON.stringify(card.metrics, null, 2),
    '```',
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes DIR/NAME.onnx, DIR/NAME.card.json, DIR/NAME.card.md and DIR/NAME.weights.json (the network as JSON, the base
 * for fine-tuning on a site trace); returns the .onnx path.
 */
export function shipModel(net: Mlp, card: ModelCard, dir: string, name = 'scheduler'): string {
  const onnx = exportOnnx(net, {
    feature_schema_hash: card.featureSchemaHash,
    feature_schema_version: String(card.featureSchemaVersion),
    model_version: card.version,
  });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, onnx);
  writeFileSync(join(dir, `${name}.card.json`), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.card.md`), cardMarkdown(card));
  writeFileSync(join(dir, `${name}.weights.json`), JSON.stringify(net.toJSON()));
  return path;
}

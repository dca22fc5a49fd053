// The model card stored beside the shipped .onnx: what the network expects (feature schema, candidate limits), how it
// was trained and how it scored. `checkCard` refuses a card whose feature schema differs from this build's extractor.

import {
  type CandidateLimits,
  FEATURE_COUNT,
  FEATURE_SCHEMA_VERSION,
  FEATURES,
  featureSchemaHash,
} from './features.js';
import { FREE_TIME_MODELS, type FreeTimeModel } from './overrun-model.js';

export interface ModelCard {
  name: string;
  /** model version, bumped on every shipped retrain */
  version: string;
  featureSchemaVersion: number;
  featureSchemaHash: string;
  featureCount: number;
  features: readonly { name: string; norm: string }[];
  /** layer sizes, input first */
  sizes: number[];
  /** whether the candidate set includes the "wait" row */
  withWait: boolean;
  limits: CandidateLimits;
  /** how busy agents' free times were predicted in training (overrun-model.ts); absent = 'estimate' */
  freeTime?: FreeTimeModel | undefined;
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
  createdAt: string;
}

/** Throws an Error naming the field when the card cannot drive this build's feature extractor. */
export function checkCard(value: unknown): ModelCard {
  if (typeof value !== 'object' || value === null) throw new Error('model card: not a JSON object');
  const c = value as Partial<ModelCard>;
  if (c.featureSchemaVersion !== FEATURE_SCHEMA_VERSION) {
    throw new Error(
      `model card: featureSchemaVersion ${c.featureSchemaVersion} != extractor ${FEATURE_SCHEMA_VERSION}`,
    );
  }
  if (c.featureSchemaHash !== featureSchemaHash()) {
    throw new Error(`model card: featureSchemaHash ${c.featureSchemaHash} != extractor ${featureSchemaHash()}`);
  }
  if (c.featureCount !== FEATURE_COUNT)
    throw new Error(`model card: featureCount ${c.featureCount} != ${FEATURE_COUNT}`);
  if (!Array.isArray(c.sizes) || c.sizes[0] !== FEATURE_COUNT || c.sizes.at(-1) !== 1) {
    throw new Error(`model card: sizes must run from ${FEATURE_COUNT} inputs to 1 output`);
  }
  if (typeof c.withWait !== 'boolean') throw new Error('model card: withWait must be a boolean');
  if (c.freeTime !== undefined && !FREE_TIME_MODELS.includes(c.freeTime))
    throw new Error(`model card: freeTime must be one of ${FREE_TIME_MODELS.join(', ')}, got ${String(c.freeTime)}`);
  const l = c.limits;
  if (!l || !Number.isInteger(l.oldestTasksMax) || !Number.isInteger(l.shortestTasksMax)) {
    throw new Error('model card: limits.oldestTasksMax and limits.shortestTasksMax must be integers');
  }
  return c as ModelCard;
}

export function cardSkeleton(sizes: number[], withWait: boolean, limits: CandidateLimits): ModelCard {
  return {
    name: 'agentos-scheduler-dqn',
    version: '0',
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    featureSchemaHash: featureSchemaHash(),
    featureCount: FEATURE_COUNT,
    features: FEATURES,
    sizes,
    withWait,
    limits,
    training: {},
    metrics: {},
    createdAt: new Date(0).toISOString(),
  };
}

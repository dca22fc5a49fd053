// Building blocks shared by the message schemas. Every string, array and map has a bound (TigerStyle: a limit on
// everything that crosses the wire).
import { ID_PATTERN } from '../topics.js';

export type JsonSchema = Record<string, unknown>;

export const idSchema = { type: 'string', pattern: ID_PATTERN, description: 'one topic level: [A-Za-z0-9._-], 1..64' };

export const scalarSchema = { type: ['number', 'string', 'boolean', 'null'], maxLength: 1024 };

export const scalarMapSchema = {
  type: 'object',
  maxProperties: 256,
  propertyNames: { maxLength: 128 },
  additionalProperties: scalarSchema,
};

export const capabilitySchema = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*$',
  maxLength: 64,
  description: 'dotted skill name, e.g. light.set',
};

/** capacity or current use; units are in the names */
export const resourcesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cpu: { type: 'number', minimum: 0, maximum: 1024, description: 'cores (1.0 = one core)' },
    memoryMb: { type: 'number', minimum: 0, maximum: 16777216, description: 'MiB' },
    bandwidthKbps: { type: 'number', minimum: 0, maximum: 100000000, description: 'kbit/s' },
    battery: { type: 'number', minimum: 0, maximum: 1, description: 'state of charge 0..1' },
  },
};

export const tsMsSchema = { type: 'integer', minimum: 0, description: 'Unix time, ms' };

export const requestIdSchema = { type: 'string', minLength: 1, maxLength: 128 };

/** the error object used in error messages and failed API replies */
export const errorBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: {
    code: {
      enum: [
        'bad_json',
        'bad_message',
        'too_large',
        'not_registered',
        'not_found',
        'unknown_method',
        'limit_reached',
        'timeout',
        'unavailable',
        'internal',
      ],
    },
    message: { type: 'string', maxLength: 2048 },
    field: { type: 'string', maxLength: 256, description: 'dotted path of the first offending field' },
  },
};

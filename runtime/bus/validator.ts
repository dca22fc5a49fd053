// Checks messages where they enter: parses JSON, enforces the size limit and validates against the message's schema,
// returning a FieldError list instead of throwing, so a bad message can never take the gateway down.
import type { ValidateFunction } from 'ajv';
import { createAjv, describeErrors, toFieldErrors } from '../util/schema-errors.js';
import { fastTelemetry } from './fast-telemetry.js';
import type { ErrorBody } from './schemas/api-messages.js';
import type { JsonSchema } from './schemas/common.js';
import { type MessageName, messages } from './schemas/index.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/**
 * One-pass parsers for the hot messages: they return a value only when it is valid against the message's schema and
 * identical to what JSON.parse gives, else undefined and the general path (JSON.parse + ajv) decides and explains.
 */
const fastPaths: Partial<Record<MessageName, (payload: Buffer) => unknown>> = { telemetry: fastTelemetry };

export class MessageValidator {
  readonly #ajv = createAjv();
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #messageBytesMax: number;

  constructor(messageBytesMax: number) {
    this.#messageBytesMax = messageBytesMax;
  }

  /** compile lazily: a message type never seen costs nothing at start */
  #get(key: string, schema: JsonSchema): ValidateFunction {
    let fn = this.#compiled.get(key);
    if (fn === undefined) {
      const { $id: _id, ...rest } = schema;
      fn = this.#ajv.compile(rest);
      this.#compiled.set(key, fn);
    }
    return fn;
  }

  /** JSON text -> value checked against a catalog message; `emptyAs` stands in for an empty payload */
  parse<T>(name: MessageName, payload: Buffer | string, emptyAs?: unknown): Checked<T> {
    const fast = fastPaths[name];
    if (fast !== undefined && typeof payload !== 'string' && payload.length <= this.#messageBytesMax) {
      const value = fast(payload);
      if (value !== undefined) return { ok: true, value: value as T };
    }
    return this.parseWith<T>(name, messages[name].schema, payload, emptyAs);
  }

  parseWith<T>(key: string, schema: JsonSchema, payload: Buffer | string, emptyAs?: unknown): Checked<T> {
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (bytes > this.#messageBytesMax) {
      return fail('too_large', `message is ${bytes} bytes; the limit is ${this.#messageBytesMax} bytes`);
    }
    let value: unknown;
    if (bytes === 0 && emptyAs !== undefined) value = structuredClone(emptyAs);
    else {
      try {
        value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
      } catch (err) {
        return fail('bad_json', `payload is not JSON: ${(err as Error).message}`);
      }
    }
    return this.check<T>(key, schema, value);
  }

  /** an already-parsed value against a schema (API params) */
  check<T>(key: string, schema: JsonSchema, value: unknown): Checked<T> {
    const validate = this.#get(key, schema);
    if (validate(value)) return { ok: true, value: value as T };
    const errors = toFieldErrors(validate.errors);
    const first = errors[0];
    return {
      ok: false,
      error: { code: 'bad_message', message: describeErrors(errors), ...(first ? { field: first.field } : {}) },
    };
  }
}

function fail(code: ErrorBody['code'], message: string): { ok: false; error: ErrorBody } {
  return { ok: false, error: { code, message } };
}

// Reads the config file (YAML or JSON, path by flag or AGENTOS_CONFIG), applies overrides from the command line, fills
// defaults and checks the result against the one schema, reporting every error at once with its field path.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { createAjv, describeErrors, type FieldError, toFieldErrors } from '../util/schema-errors.js';
import { type Config, configSchema } from './schema.js';

export const CONFIG_ENV = 'AGENTOS_CONFIG';

export class ConfigError extends Error {
  readonly errors: readonly FieldError[];
  constructor(source: string, errors: readonly FieldError[]) {
    super(`invalid config (${source}): ${describeErrors(errors)}`);
    this.name = 'ConfigError';
    this.errors = errors;
  }
}

// Held weakly: a gateway checks its config once at start, and the compiled check (about 0.3 MB of heap: a 140 KB
// generated source and its code) is then garbage; callers that check many documents in a row (tests, docs) reuse it
// until a GC drops it.
let cached: WeakRef<ValidateFunction> | undefined;

function getValidator(): ValidateFunction {
  let validator = cached?.deref();
  if (!validator) {
    // useDefaults fills every missing key from the schema; the schema is the one place defaults live
    validator = createAjv({ useDefaults: true }).compile(configSchema());
    cached = new WeakRef(validator);
  }
  return validator;
}

/** Checks a parsed config document and fills its defaults; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, source = 'config'): Config {
  const doc = raw === undefined || raw === null ? {} : structuredClone(raw);
  const validate = getValidator();
  if (!validate(doc)) throw new ConfigError(source, toFieldErrors(validate.errors));
  return doc as Config;
}

/** The defaults alone (what `agentos start` uses with no config file). */
export function defaultConfig(): Config {
  return validateConfig({}, 'defaults');
}

async function parseFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ field: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.json') return text.trim() === '' ? {} : JSON.parse(text);
    // YAML is a superset of JSON, so any other extension is read as YAML; loaded lazily to keep start fast
    const { parse } = await import('yaml');
    return parse(text) ?? {};
  } catch (err) {
    throw new ConfigError(path, [{ field: '', message: `cannot parse: ${(err as Error).message.split('\n')[0]}` }]);
  }
}

/** Sets a dotted path ("broker.port") in a plain object, creating objects on the way. */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = doc;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

export interface LoadOptions {
  /** explicit path (the --config flag); wins over the environment variable */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** dotted path -> value, applied over the file (command-line flags) */
  overrides?: Record<string, unknown> | undefined;
}

export interface LoadedConfig {
  config: Config;
  /** absolute path of the file read, or null when none */
  file: string | null;
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const given = options.path ?? (env[CONFIG_ENV] || undefined);
  const file = given === undefined ? null : resolve(given);
  const raw = file === null ? {} : await parseFile(file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file ?? 'config', [{ field: '', message: 'must be an object of sections' }]);
  }
  const doc = structuredClone(raw) as Record<string, unknown>;
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(doc, path, value);
  }
  return { config: validateConfig(doc, file ?? 'command line'), file };
}

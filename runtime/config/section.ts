// A config section: one top-level key of the config file, its JSON Schema (with every default, the one place defaults
// live) and its TypeScript shape. Add a section with one file in sections/ and one line in sections/index.ts.

/** a JSON Schema object; kept loose so sections can use any draft-07 keyword ajv knows */
export type JsonSchema = Record<string, unknown>;

export interface Section<T> {
  /** top-level key in the config file */
  readonly key: string;
  /** one line for docs/CONFIG.md */
  readonly description: string;
  /** JSON Schema of the section object; every property has a `default` unless it is optional */
  readonly schema: JsonSchema;
  /** phantom field carrying the TypeScript type; never set */
  readonly _type?: T | undefined;
}

export function defineSection<T>(key: string, description: string, schema: JsonSchema): Section<T> {
  return { key, description, schema: { type: 'object', additionalProperties: false, default: {}, ...schema } };
}

export type SectionType<S> = S extends Section<infer T> ? T : never;

/** An integer setting with its range, default and one-line description (the common case of every section). */
export function intSetting(minimum: number, maximum: number, dflt: number, description: string): JsonSchema {
  return { type: 'integer', minimum, maximum, default: dflt, description };
}

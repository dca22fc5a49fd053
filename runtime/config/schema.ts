// The one config schema, composed from the sections list. Defaults are the sections' `default` keywords.
import type { JsonSchema, SectionType } from './section.js';
import { sections } from './sections/index.js';

export type Sections = typeof sections;
export type Config = { [K in keyof Sections]: SectionType<Sections[K]> };

export function configSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, section] of Object.entries(sections)) {
    if (key !== section.key) throw new Error(`config section "${section.key}" is listed under "${key}"`);
    properties[key] = { description: section.description, ...section.schema };
  }
  return {
    $id: 'https://agentos.dev/schemas/v1/config.json',
    title: 'AgentOS gateway configuration',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

// Named workloads (the JSON files beside this module) and workloads from any file path.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkload, type Workload } from './workload.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Names of the workloads shipped in models/workloads/*.json. */
export function workloadNames(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A shipped workload by name (e.g. "train-v1"), or a path to a workload JSON file. */
export function loadWorkload(nameOrPath: string): Workload {
  const names = workloadNames();
  const isName = names.includes(nameOrPath);
  if (!isName && !nameOrPath.includes('/') && !nameOrPath.endsWith('.json')) {
    throw new TypeError(`unknown workload "${nameOrPath}"; valid: ${names.join(', ')} (or a path to a .json file)`);
  }
  const path = isName ? join(HERE, `${nameOrPath}.json`) : nameOrPath;
  return parseWorkload(readFileSync(path, 'utf8'), path);
}

export function parseWorkload(text: string, where = 'workload'): Workload {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object') throw new TypeError(`${where}: must be a JSON object`);
  const w = data as Workload;
  validateWorkload(w, where);
  return w;
}

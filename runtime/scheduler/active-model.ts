// The pointer to the model a retrain from the site's trace put in place: <dataDir>/scheduler/active-model.json. A
// gateway restarting with it loads the site model (validated like the shipped one) instead of the shipped model.
// Written atomically after every accepted swap; a missing file means "the configured (shipped) model".
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export const ACTIVE_MODEL_FORMAT = 1;

export interface ActiveModelPointer {
  format: number;
  /** the site model's .onnx; its card and weights sit beside it (NAME.card.json, NAME.weights.json) */
  modelPath: string;
  /** the card's version, e.g. 3.0-site.2 */
  modelVersion: string;
  /** n of <dataDir>/scheduler/models/site-<n>/ */
  site: number;
  /** the configured model the chain of retrains started from, and its card version at the time */
  baseModelPath: string;
  baseVersion: string;
  acceptedAt: string;
  heldOut: { candidate: number; running: number; windows: number };
}

export function activeModelPath(schedulerDir: string): string {
  return join(schedulerDir, 'active-model.json');
}

/** null when there is no pointer; throws an Error naming the field when it is unusable */
export async function readActiveModel(schedulerDir: string): Promise<ActiveModelPointer | null> {
  const path = activeModelPath(schedulerDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path} unreadable: ${(err as Error).message}`);
  }
  let p: Partial<ActiveModelPointer>;
  try {
    p = JSON.parse(text) as Partial<ActiveModelPointer>;
  } catch (err) {
    throw new Error(`${path} is not JSON: ${(err as Error).message}`);
  }
  if (p?.format !== ACTIVE_MODEL_FORMAT) throw new Error(`${path}: format must be ${ACTIVE_MODEL_FORMAT}`);
  for (const k of ['modelPath', 'modelVersion', 'baseModelPath', 'baseVersion'] as const) {
    if (typeof p[k] !== 'string' || p[k] === '') throw new Error(`${path}: ${k} must be a non-empty string`);
  }
  if (!Number.isInteger(p.site)) throw new Error(`${path}: site must be an integer`);
  return p as ActiveModelPointer;
}

export async function writeActiveModel(schedulerDir: string, p: ActiveModelPointer): Promise<void> {
  const path = activeModelPath(schedulerDir);
  const tmp = `${path}.tmp-${process.pid}`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(p, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

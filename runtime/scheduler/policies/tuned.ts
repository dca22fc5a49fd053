// Tuned knobs of the strongest heuristics, written by `npm run bench -- scheduler-tune` and read by the benchmark (and
// by whoever builds a heuristic for the gateway). The file records the seeds used, so reports can prove disjointness.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyOptions } from './options.js';

export const TUNED_VERSION = 1;
export const TUNED_PATH = join(dirname(fileURLToPath(import.meta.url)), 'tuned.json');

export interface TunedFile {
  version: number;
  workload: string;
  /** seeds used for tuning; reporting must use others */
  seeds: number[];
  loads: number[];
  taskCount: number;
  /** e.g. "tetris 20 configs + hungarian 24 configs x 3 seeds x 3 loads = 396 runs" */
  budget: string;
  objective: string;
  /** chosen knobs per policy name */
  policies: Record<string, PolicyOptions>;
  /** score (objective value) of the chosen and the default configuration per policy */
  scores: Record<string, { chosen: number; defaults: number }>;
}

/** The tuned file, or null when none was written yet. Throws naming the field on a malformed file. */
export function readTuned(path = TUNED_PATH): TunedFile | null {
  if (!existsSync(path)) return null;
  const t = JSON.parse(readFileSync(path, 'utf8')) as TunedFile;
  if (t.version !== TUNED_VERSION) throw new TypeError(`${path}: version must be ${TUNED_VERSION}`);
  if (!Array.isArray(t.seeds) || !t.seeds.every(Number.isInteger))
    throw new TypeError(`${path}: seeds must be integers`);
  if (!t.policies || typeof t.policies !== 'object') throw new TypeError(`${path}: policies must be an object`);
  return t;
}

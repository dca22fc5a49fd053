// The folders of accepted site models: <dataDir>/scheduler/models/site-<n>/ (n counts up from 1). Old ones are pruned
// so a gateway retraining for months keeps a bounded number on disk; the running one is never deleted.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const SITE_DIR_RE = /^site-(\d+)$/;
const TMP_DIR_RE = /^site-\d+\.tmp-\d+$/;

export function siteModelsDir(schedulerDir: string): string {
  return join(schedulerDir, 'models');
}

async function siteNumbers(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.flatMap((n) => {
    const m = SITE_DIR_RE.exec(n);
    return m ? [Number(m[1])] : [];
  });
}

/** the n of the next site model folder (one past the highest present, so a number is never reused) */
export async function nextSiteNumber(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  return Math.max(0, ...(await siteNumbers(dir))) + 1;
}

/** keeps the newest keptMax site folders and `activeSite`; removes leftovers of killed workers */
export async function pruneSiteModels(dir: string, keptMax: number, activeSite: number | null): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => TMP_DIR_RE.test(n));
  const sites = (await siteNumbers(dir)).sort((a, b) => b - a);
  stale.push(
    ...sites
      .slice(keptMax)
      .filter((n) => n !== activeSite)
      .map((n) => `site-${n}`),
  );
  for (const name of stale) await rm(join(dir, name), { recursive: true, force: true });
  return stale;
}

// The dashboard's files: the page, its scripts and mqtt.js's browser build from the installed mqtt package. Found
// from the package root, so the same code serves them from a checkout (tsx) and from dist/. Checked at start, read
// from disk per request: a page is loaded rarely, and a gateway on a Pi should not hold 350 KB of it in memory.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  path: string;
  bytes: number;
  type: string;
  /** seconds a browser may reuse it */
  maxAgeS: number;
}

const PAGES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
  '/dashboard-main.js': ['dashboard-main.js', 'text/javascript; charset=utf-8'],
  '/dashboard-view.js': ['dashboard-view.js', 'text/javascript; charset=utf-8'],
  '/dashboard-model.js': ['dashboard-model.js', 'text/javascript; charset=utf-8'],
};

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runtime'))) return dir;
    if (dirname(dir) === dir) throw new Error(`dashboard: no package root above ${from}`);
  }
}

function file(path: string, type: string, maxAgeS: number): StaticFile {
  return { path, bytes: statSync(path).size, type, maxAgeS };
}

/** url path -> file; throws naming the file that is missing */
export function loadStaticFiles(): Map<string, StaticFile> {
  const root = packageRoot(dirname(fileURLToPath(import.meta.url)));
  const dir = join(root, 'runtime', 'integrations', 'dashboard', 'static');
  const files = new Map<string, StaticFile>();
  for (const [path, [name, type]] of Object.entries(PAGES)) {
    files.set(path, file(join(dir, name), type, 0));
  }
  const require = createRequire(import.meta.url);
  const mqttDir = dirname(require.resolve('mqtt/package.json'));
  files.set('/vendor/mqtt.esm.js', file(join(mqttDir, 'dist', 'mqtt.esm.js'), 'text/javascript; charset=utf-8', 86400));
  return files;
}

// The dashboard's files, read once at start: the page, its scripts and mqtt.js's browser build from the installed
// mqtt package. Found from the package root, so the same code serves them from a checkout (tsx) and from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  body: Buffer;
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

/** path -> file; throws naming the file that is missing */
export function loadStaticFiles(): Map<string, StaticFile> {
  const root = packageRoot(dirname(fileURLToPath(import.meta.url)));
  const dir = join(root, 'runtime', 'integrations', 'dashboard', 'static');
  const files = new Map<string, StaticFile>();
  for (const [path, [name, type]] of Object.entries(PAGES)) {
    files.set(path, { body: readFileSync(join(dir, name)), type, maxAgeS: 0 });
  }
  const require = createRequire(import.meta.url);
  const mqttDir = dirname(require.resolve('mqtt/package.json'));
  files.set('/vendor/mqtt.esm.js', {
    body: readFileSync(join(mqttDir, 'dist', 'mqtt.esm.js')),
    type: 'text/javascript; charset=utf-8',
    maxAgeS: 86400,
  });
  return files;
}

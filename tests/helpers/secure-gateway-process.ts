// A secure gateway in its own process (`agentos start`, no --dev), for the tests of supervised agents.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { CredentialStore } from '../../runtime/security/credential-store.js';
import { repoRoot, type Teardown } from './teardown.js';

export interface GatewayProc {
  url: string;
  stop(): Promise<void>;
}

/**
 * A secure gateway process (`agentos start`, no --dev). Started through `env -u NODE_OPTIONS`: a test runner's
 * NODE_OPTIONS hooks (tap's processinfo) would otherwise be passed on to the sandboxed agents, and they need more
 * permissions than an agent has. `envSet` are `NAME=value` words for env(1).
 */
export async function spawnSecureGateway(dataDir: string, envSet: readonly string[] = []): Promise<GatewayProc> {
  const args = [
    '-u',
    'NODE_OPTIONS',
    ...envSet,
    process.execPath,
    '--import',
    'tsx',
    'runtime/cli/agentos.ts',
    'start',
  ];
  args.push('--port', '0', '--no-ws', '--data-dir', dataDir, '--id', 'gw-sec');
  const child = spawn('env', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready after 30 s: ${stderr}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (!line.includes('"gateway ready"')) continue;
        clearTimeout(timer);
        resolve(String((JSON.parse(line) as { mqtt: string }).mqtt));
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface SecureSite {
  /** the temp dir: data/ is the gateway's, the rest is the test's (agent dirs, ...) */
  dir: string;
  dataDir: string;
  gw: GatewayProc;
  /** logged in as the admin operator `ops` */
  api: ApiClient;
}

export interface SecureSiteOptions {
  /** `NAME=value` words for env(1) (see spawnSecureGateway), given the temp dir */
  envSet?: ((dir: string) => string[]) | undefined;
  /** closes what the test opened for the site: after the gateway stopped and before the files go, or on a failed start */
  release?: (() => Promise<void>) | undefined;
}

/**
 * A fresh temp dir (named after `prefix`) whose data/ holds an admin operator `ops`, a secure gateway process on it
 * and an API client logged in as `ops`. One teardown, in order: the client, the gateway (it stops its agents),
 * `release`, then the files. If the site does not come up, what was started is stopped and the files removed before
 * the error is thrown.
 */
export async function startSecureSite(
  t: Teardown,
  prefix: string,
  options: SecureSiteOptions = {},
): Promise<SecureSite> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const dataDir = join(dir, 'data');
  let gw: GatewayProc | undefined;
  let api: ApiClient;
  try {
    const store = new CredentialStore({ dataDir });
    await store.start();
    const admin = await store.add({ id: 'ops', kind: 'operator', role: 'admin' });
    await store.stop();
    gw = await spawnSecureGateway(dataDir, options.envSet?.(dir));
    api = await ApiClient.connect({ url: gw.url, username: 'ops', password: admin.secret, timeoutMs: 20_000 });
  } catch (err) {
    await gw?.stop();
    await options.release?.();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const started = gw;
  t.teardown(async () => {
    await api.close();
    await started.stop();
    await options.release?.();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, dataDir, gw, api };
}

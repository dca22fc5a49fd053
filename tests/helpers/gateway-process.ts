// A gateway in its own process, started the way a user would (`agentos start`), from the TypeScript sources through
// tsx so tests need no build. Ports are chosen by the OS and read back from the "gateway ready" log line.
import { type ChildProcess, spawn } from 'node:child_process';
import { repoRoot, type Teardown } from './teardown.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

export interface GatewayProcess {
  child: ChildProcess;
  /** every stdout line parsed as JSON (pino); non-JSON lines are kept as { raw } */
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  url: string;
  wsUrl: string | null;
  dataDir: string;
  /** the ready line's readyMs */
  readyMs: number;
  /** sends the signal and resolves with the exit code (null if killed by a signal) */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnGatewayOptions {
  /** extra `agentos start` arguments; --port 0 --ws-port 0 --data-dir TMP are added unless given */
  args?: string[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  dataDir?: string | undefined;
  readyTimeoutMs?: number | undefined;
  /** refuse anonymous clients (security.devMode off); by default test gateways run in development mode */
  secure?: boolean | undefined;
}

const ENTRY = 'runtime/cli/agentos.ts';

export async function spawnGateway(t: Teardown, options: SpawnGatewayOptions = {}): Promise<GatewayProcess> {
  const dataDir = options.dataDir ?? (await tempDir(t, 'agentos-gwp-'));
  const args = options.args ?? [];
  const defaults: string[] = [];
  if (!args.includes('--port')) defaults.push('--port', '0');
  if (!args.includes('--ws-port') && !args.includes('--no-ws')) defaults.push('--ws-port', '0');
  if (!args.includes('--data-dir')) defaults.push('--data-dir', dataDir);
  if (!options.secure && !args.includes('--dev')) defaults.push('--dev');
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'start', ...defaults, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'test', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const logs = collectLines(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const ready = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr.trim()}`);
      return logs.find((l) => l['msg'] === 'gateway ready');
    },
    options.readyTimeoutMs ?? 30000,
    'the gateway process to log "gateway ready"',
  );
  return {
    child,
    logs,
    stderr: () => stderr,
    url: String(ready['mqtt']),
    wsUrl: (ready['ws'] as string | null) ?? null,
    dataDir,
    readyMs: Number(ready['readyMs']),
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function collectLines(child: ChildProcess): Array<Record<string, unknown>> {
  const logs: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
      nl = buffer.indexOf('\n');
    }
  });
  return logs;
}

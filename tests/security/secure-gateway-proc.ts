// A secure gateway in its own process (`agentos start`, no --dev), for the tests of supervised agents.
import { spawn } from 'node:child_process';
import { repoRoot } from '../helpers/teardown.js';

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

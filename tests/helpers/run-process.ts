// Runs a command to its end (stdin is /dev/null) and collects what it printed, whatever the exit code: tests assert on
// refusals. No timeout of its own: the test's bounds the wait. The agentos CLI has its own runner (cli.ts).
import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** the exit code, null if a signal ended it */
  code: number | null;
  out: string;
  err: string;
}

export interface RunProcessOptions {
  cwd?: string | undefined;
  /** the whole environment (default: this process's) */
  env?: NodeJS.ProcessEnv | undefined;
}

export function runProcess(command: string, args: string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

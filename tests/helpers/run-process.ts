// Runs a command to its end and collects what it printed. No timeout of its own: the test's bounds the wait.
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
  /** 'ignore': stdin is /dev/null; default 'pipe', left open */
  stdin?: 'pipe' | 'ignore' | undefined;
}

export function runProcess(command: string, args: string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
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

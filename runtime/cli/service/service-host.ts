// What `agentos service` needs of the host, behind one interface: read-only questions (root? user? groups? the unit
// file?) and the three kinds of step. The command gets the real host; the test passes one that records the steps.
import { execFile } from 'node:child_process';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Step } from './service-plan.js';
import { stepLine } from './service-plan.js';

export interface RunResult {
  /** null when a signal ended it or it could not be started */
  code: number | null;
  out: string;
  err: string;
}

export interface ServiceHost {
  isRoot(): boolean;
  /** systemd is the init system (sd_booted(3): /run/systemd/system exists) */
  systemdRunning(): Promise<boolean>;
  /** the file's text, or null when it does not exist */
  readText(path: string): Promise<string | null>;
  /** runs a command to its end; never throws for a non-zero exit */
  run(argv: readonly string[]): Promise<RunResult>;
  /** replaces the file atomically (a temp file in the same folder, then rename) */
  writeText(path: string, text: string, mode: number): Promise<void>;
  remove(path: string): Promise<void>;
}

/** commands are found on PATH plus the sbin folders, which `sudo` keeps but a user's PATH may lack */
const SEARCH_PATH = (env: NodeJS.ProcessEnv) => [env['PATH'] ?? '/usr/bin:/bin', '/usr/sbin', '/sbin'].join(':');
/** a unit command (systemctl restart) may wait for the stop of the old gateway: TimeoutStopSec plus margin */
const RUN_TIMEOUT_MS = 120_000;

export function systemHost(env: NodeJS.ProcessEnv = process.env): ServiceHost {
  return {
    isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
    systemdRunning: () =>
      stat('/run/systemd/system').then(
        (s) => s.isDirectory(),
        () => false,
      ),
    async readText(path) {
      try {
        return await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    run(argv) {
      const [file, ...args] = argv;
      if (file === undefined) throw new Error('empty command');
      return new Promise((resolve) => {
        execFile(
          file,
          args,
          { env: { ...env, PATH: SEARCH_PATH(env), LC_ALL: 'C' }, timeout: RUN_TIMEOUT_MS, maxBuffer: 4 * 2 ** 20 },
          (err, out, errOut) => {
            const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
            resolve({ code, out, err: errOut || (err !== null && code === null ? err.message : '') });
          },
        );
      });
    },
    async writeText(path, text, mode) {
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      await writeFile(tmp, text, { mode });
      await rename(tmp, path);
    },
    remove: (path) => rm(path, { force: true }),
  };
}

/** does `getent DB NAME` know it */
export async function known(host: ServiceHost, db: 'passwd' | 'group', name: string): Promise<boolean> {
  return (await host.run(['getent', db, name])).code === 0;
}

/** runs the steps in order, printing each as `+ LINE`; the first failure throws with the command and its output */
export async function executeSteps(host: ServiceHost, steps: readonly Step[], out: (line: string) => void) {
  for (const step of steps) {
    out(`+ ${stepLine(step)}`);
    if (step.kind === 'write') await host.writeText(step.path, step.text, step.mode);
    else if (step.kind === 'remove') await host.remove(step.path);
    else {
      const r = await host.run(step.argv);
      if (r.code !== null && (step.okCodes ?? [0]).includes(r.code)) {
        if (step.warnOnOutput) for (const line of r.err.trim().split('\n').filter(Boolean)) out(`warning: ${line}`);
        continue;
      }
      const said = (r.err || r.out).trim().split('\n').slice(-3).join(' | ');
      const how = r.code === null ? 'did not finish' : `exited ${r.code}`;
      throw new Error(`${stepLine(step)} ${how}${said ? `: ${said}` : ''}${step.failure ? `; ${step.failure}` : ''}`);
    }
  }
}

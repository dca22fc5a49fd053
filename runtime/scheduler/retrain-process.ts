// Runs one retrain in a child process (models/rl/site-retrain-worker.ts), so the CPU-heavy training never stalls the
// gateway's event loop (scheduling, MQTT): forked with a V8 heap limit, reniced (lower priority than the gateway),
// killed past its wall-time budget. Works from the TypeScript sources (through tsx) and from dist/ after a build: the
// worker sits at the same place relative to this file in both, with this file's extension.
import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RetrainJob, RetrainReply, RetrainSummary } from './retrain-job.js';

export interface RetrainProcessOptions {
  /** V8 old-space limit of the worker, MiB */
  heapMb: number;
  /** the worker is killed (SIGKILL) when it has not answered after this */
  killAfterMs: number;
}

/** the last bytes of the worker's stderr kept for an error message */
const STDERR_TAIL_BYTES = 2048;

export function workerEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const path = join(dirname(here), '..', '..', 'models', 'rl', `site-retrain-worker${ext}`);
  return { path, execArgv: ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}

export class RetrainProcess {
  #child: ChildProcess | null = null;
  #killedFor: string | null = null;

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** resolves with the worker's summary; rejects with an Error saying why there is none */
  run(job: RetrainJob, o: RetrainProcessOptions): Promise<RetrainSummary> {
    if (this.#child) return Promise.reject(new Error('a retrain is already running'));
    const entry = workerEntry();
    const child = fork(entry.path, [], {
      execArgv: [`--max-old-space-size=${o.heapMb}`, ...entry.execArgv],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.#child = child;
    this.#killedFor = null;
    try {
      if (child.pid !== undefined) setPriority(child.pid, job.nice);
    } catch {
      // not permitted here (some containers): the worker still runs, at the gateway's priority
    }
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const timer = setTimeout(
      () => this.kill(`past its wall-time budget (${Math.round(o.killAfterMs / 1000)} s)`),
      o.killAfterMs,
    );
    return new Promise<RetrainSummary>((resolve, reject) => {
      let reply: RetrainReply | null = null;
      child.once('message', (m: RetrainReply) => {
        reply = m;
      });
      child.once('error', (err) => {
        stderr += `\n${err.message}`;
      });
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        this.#child = null;
        const r = reply as RetrainReply | null;
        if (r?.ok) return resolve(r.result);
        if (r) return reject(new Error(r.error));
        reject(new Error(exitReason(this.#killedFor, code, signal, stderr, o.heapMb)));
      });
      child.send(job);
    });
  }

  /** kills a running worker; its run() rejects naming the reason */
  kill(reason: string): void {
    if (!this.#child) return;
    this.#killedFor = reason;
    this.#child.kill('SIGKILL');
  }

  /** kills a running worker and waits for it to exit */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.kill('the gateway is stopping');
    await exited;
  }
}

function exitReason(
  killedFor: string | null,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  heapMb: number,
): string {
  if (killedFor) return `retrain worker killed: ${killedFor}`;
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  if (/heap limit|JavaScript heap out of memory/.test(stderr)) {
    return `retrain worker ran out of memory (workerHeapMb ${heapMb}); raise scheduler.siteLearning.workerHeapMb or lower traceTasksMax`;
  }
  return `retrain worker exited (${signal ?? `code ${code}`}) without an answer${tail ? `: ${tail}` : ''}`;
}

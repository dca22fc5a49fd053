// Runs an ES generation's candidate policies on worker threads (es-worker.ts), one job per candidate, so a generation
// uses every core. The numbers are the serial path's: same weights, same scenarios, same code (es-tune.test.ts).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FitnessEvaluator, ScenarioSpec } from './es-tune.js';
import type { EsWorkerInit, EsWorkerJob } from './es-worker.js';

/** More threads than cores only adds memory (each holds a generation's scenarios, ~10-20 MB). */
export const ES_THREADS_MAX = 16;

export class EsWorkerPool implements FitnessEvaluator {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (fit: number) => void; reject: (e: Error) => void }>();

  constructor(threads: number, init: EsWorkerInit) {
    if (!(Number.isInteger(threads) && threads >= 1 && threads <= ES_THREADS_MAX))
      throw new RangeError(`threads must be an integer in 1..${ES_THREADS_MAX}, got ${threads}`);
    // the worker is TypeScript when this module is. A loader registered in this thread does not reach a worker, and
    // workers ignore --import, so a small eval'd bootstrap registers tsx (resolved from here) before importing it
    const ts = import.meta.url.endsWith('.ts');
    const entry = JSON.stringify(new URL(`./es-worker${ts ? '.ts' : '.js'}`, import.meta.url).href);
    const code = ts
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${entry}); });`
      : `import(${entry});`;
    for (let i = 0; i < threads; i++) {
      const w = new Worker(code, { eval: true, workerData: init });
      w.on('message', (m: { id: number; fit: number }) => {
        this.pending.get(m.id)?.resolve(m.fit);
        this.pending.delete(m.id);
      });
      w.on('error', (err) => this.failAll(err));
      w.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`ES worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  static defaultThreads(): number {
    return Math.min(ES_THREADS_MAX, availableParallelism());
  }

  evaluate(thetas: readonly Float64Array[], specs: readonly ScenarioSpec[], ref: readonly number[]): Promise<number[]> {
    return Promise.all(
      thetas.map(
        (theta, k) =>
          new Promise<number>((resolve, reject) => {
            const id = this.nextId++;
            this.pending.set(id, { resolve, reject });
            const job: EsWorkerJob = { id, theta, specs: [...specs], ref: [...ref] };
            this.workers[k % this.workers.length]!.postMessage(job);
          }),
      ),
    );
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.failAll(new Error('EsWorkerPool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

// The retrain worker process (runtime/scheduler/retrain-process.ts, models/rl/site-retrain-worker.ts), forked for real:
// a worker error comes back as the error's message; a worker past its wall-time budget is killed and the error says so;
// one worker at a time per RetrainProcess; stop() kills a running worker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RetrainJob } from '../../runtime/scheduler/retrain-job.js';
import { RetrainProcess, workerEntry } from '../../runtime/scheduler/retrain-process.js';
import { tempDir } from '../helpers/temp-dir.js';

function job(dir: string): RetrainJob {
  return {
    traceDir: join(dir, 'no-trace-here'),
    traceTasksMax: 100,
    baseWeightsPath: join(dir, 'none.weights.json'),
    baseCardPath: join(dir, 'none.card.json'),
    outDir: join(dir, 'models', 'site-1'),
    version: 'test-site.1',
    episodes: 0,
    timeBudgetMs: 1000,
    windowTasks: 10,
    heldOutFraction: 0.3,
    seed: 1,
    nice: 10,
  };
}

t.test('the worker entry sits beside the sources', async (t) => {
  const entry = workerEntry();
  t.ok(existsSync(entry.path), entry.path);
  t.same(entry.execArgv.slice(0, 1), ['--import'], 'run through tsx from the TypeScript sources');
});

t.test("a worker's error is the run's error", async (t) => {
  const dir = await tempDir(t, 'retrain-process-');
  const p = new RetrainProcess();
  const run = p.run(job(dir), { heapMb: 128, killAfterMs: 120_000 });
  await t.rejects(p.run(job(dir), { heapMb: 128, killAfterMs: 120_000 }), /a retrain is already running/);
  await t.rejects(run, /site trace .*no-trace-here: no such file or directory/);
  t.equal(p.pid, null, 'no worker left');
});

t.test('a worker past its budget is killed', async (t) => {
  const dir = await tempDir(t, 'retrain-process-kill-');
  const p = new RetrainProcess();
  // 1 ms: the worker cannot even load before the budget ends
  await t.rejects(p.run(job(dir), { heapMb: 128, killAfterMs: 1 }), /retrain worker killed: past its wall-time budget/);
  t.equal(p.pid, null);
  await p.stop();
});

t.test('stop() kills a running worker', async (t) => {
  const dir = await tempDir(t, 'retrain-process-stop-');
  const p = new RetrainProcess();
  const run = p.run(job(dir), { heapMb: 128, killAfterMs: 120_000 });
  t.ok(p.pid, 'a worker runs');
  await p.stop();
  await t.rejects(run, /retrain worker killed: the gateway is stopping/);
  t.equal(p.pid, null);
});

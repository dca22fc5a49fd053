// Learning from the site in a running gateway (issue 5, must-hold 6): a gateway process records the trace of real SDK
// agents of different speeds running submitted tasks; `agentos model retrain` fine-tunes the running model on it in a
// worker process and the candidate replaces the running model without a restart only when it wins on the held-out
// windows. The result, the log line and `model.status` must agree. A model never beats itself (0 episodes), so that
// case is rejected deterministically; a trained candidate may win or lose on a real trace, so the test asserts that
// both branches are consistent (accepted -> swap logged, site version running, pointer written; rejected -> logged,
// nothing swapped).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { RetrainOutcome } from '../../runtime/scheduler/site-learning.js';
import { TaskClient } from '../../sdk/index.js';
import { errorBody } from '../helpers/api-error.js';
import { runCli } from '../helpers/cli.js';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { sdkAgent } from './live-fixtures.js';

const WINDOW_TASKS = 10;
/** agent -> how much longer than estimated its tasks take */
const SLOWNESS: Record<string, number> = { 'fast-1': 0.5, 'mid-1': 1, 'slow-1': 2.5 };

const schedulerLines = (gw: GatewayProcess) =>
  gw.logs.map((l) => String(l['msg'] ?? '')).filter((m) => m.startsWith('scheduler:'));

/** the gateway's stdout may reach us after its API reply: wait for the line (a wait, not a time assertion) */
const logged = (gw: GatewayProcess, line: string | RegExp) =>
  waitFor(
    () => schedulerLines(gw).some((m) => (typeof line === 'string' ? m === line : line.test(m))),
    30_000,
    `the log line ${line}`,
  ).then(
    () => true,
    () => false,
  );

async function runTasks(tasks: TaskClient, from: number, count: number): Promise<void> {
  // submitted together, one task at a time per agent (cpu 1 of 1): a queue forms and placement matters
  const submits = Array.from({ length: count }, (_, k) => {
    const est = 20 + (((from + k) * 37) % 5) * 15;
    return tasks.submit({
      capability: 'work.run',
      estDurationMs: est,
      demand: { cpu: 1 },
      input: { ms: est },
      taskId: `w-${from + k}`,
    });
  });
  for (const { task } of await Promise.all(submits)) {
    const done = await tasks.wait(task.id, 60_000);
    if (done.state !== 'done') throw new Error(`task ${task.id} ended ${done.state}`);
  }
}

t.test('retrain a running gateway from its site trace', async (t) => {
  const dir = await tempDir(t, 'agentos-site-retrain-');
  const config = join(dir, 'gateway.json');
  const scheduler = {
    traceFlushIntervalMs: 100,
    // rotates every 25 arrivals: the retrain reads across rotated files
    traceTasksPerFileMax: 25,
    siteLearning: { windowTasks: WINDOW_TASKS, heldOutFraction: 0.3 },
  };
  writeFileSync(config, JSON.stringify({ scheduler }));
  const gw = await spawnGateway(t, { args: ['--config', config] });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 120_000 });
  t.teardown(() => api.close());
  const tasks = await TaskClient.connect({ url: gw.url, timeoutMs: 15_000 });
  t.teardown(() => tasks.close());
  for (const [id, slowness] of Object.entries(SLOWNESS)) {
    const agent = await sdkAgent(t, gw.url, id, { capacity: { cpu: 1, memoryMb: 1024, bandwidthKbps: 10000 } });
    agent.onTask<{ ms: number }>('work.run', async (input) => {
      await sleep(input.ms * slowness); // the agent's real speed, which the trace records
      return { by: id };
    });
  }
  // an agent no task is placed on is in the trace too, so the replay can offer it
  await sdkAgent(t, gw.url, 'spare-1', { capabilities: ['camera.snap'] });
  const cli = (...args: string[]) => runCli(['model', ...args, '--url', gw.url], {}, 180_000);

  // a trace of one window is too short: the error names the window count
  await runTasks(tasks, 0, 6);
  const short = await cli('retrain', '--episodes', '0');
  t.equal(short.code, 1, 'too short a trace fails the command');
  t.match(short.stderr, /site trace has 1 window\(s\) of 10 tasks; need >= 2/, 'naming the window count');
  t.ok(await logged(gw, /^scheduler: retrain failed \(.*need >= 2\); keeping "rl"$/), 'and logged');

  await runTasks(tasks, 6, 54);
  const before = await api.call<Status>('model.status');
  t.match(before, { policy: 'rl', source: 'shipped', swaps: 0 }, 'the shipped model runs');

  // 0 episodes: the candidate is the running network, which never beats itself
  const same = await cli('retrain', '--episodes', '0', '--json');
  t.equal(same.code, 0, same.stderr);
  const r0 = JSON.parse(same.stdout) as RetrainOutcome;
  t.match(r0, { accepted: false, swapped: false, episodes: 0, modelPath: null }, 'rejected');
  t.equal(r0.newScore, r0.oldScore, 'the same score on the held-out windows');
  t.ok(r0.trace.files >= 2, `the trace was read across rotation (${r0.trace.files} files)`);
  t.equal(r0.trace.tasks, 60, 'every task once');
  t.equal(r0.trace.agents, 4, 'every registered agent, also the one that never got a task');
  // windows of 10 arrivals, cut between distinct arrival times (tasks submitted in the same ms share a window)
  t.ok(r0.trainWindows + r0.heldOutWindows >= 2, `${r0.trainWindows + r0.heldOutWindows} windows`);
  t.ok(r0.heldOutWindows >= 1 && r0.trainWindows >= 1, 'train and held-out windows');
  const rejectLine = `scheduler: retrained model rejected, held-out mean slowdown ${r0.newScore.toFixed(4)} vs running ${r0.oldScore.toFixed(4)}; keeping "rl"`;
  t.ok(await logged(gw, rejectLine), 'the rejection is logged with both scores');
  t.match(await api.call<Status>('model.status'), {
    source: 'shipped',
    swaps: 0,
    retrain: { retrains: 2, accepted: 0, failed: 1, last: { result: { accepted: false } } },
  });
  t.notOk(existsSync(join(gw.dataDir, 'scheduler', 'active-model.json')), 'no pointer written');

  // a real fine-tune, and a second retrain asked at the same time: one runs, the other is refused
  const [trained, refused] = await Promise.allSettled([
    api.call<RetrainOutcome>('model.retrain', { episodes: 100_000, minutes: 0.05 }),
    api.call('model.retrain', { episodes: 0 }),
  ]);
  t.equal(trained.status, 'fulfilled', 'the first retrain ran');
  const second = await errorBody(refused.status === 'rejected' ? Promise.reject(refused.reason) : Promise.resolve());
  t.match(second, { code: 'limit_reached', message: /a retrain is already running/ }, 'the second is refused');
  const r = (trained as PromiseFulfilledResult<RetrainOutcome>).value;
  t.ok(r.episodes > 0, `trained ${r.episodes} episodes`);
  const status = await api.call<Status>('model.status');
  const scores = `held-out mean slowdown ${r.newScore.toFixed(4)} vs running ${r.oldScore.toFixed(4)}`;
  if (r.accepted) {
    t.ok(r.newScore < r.oldScore, `accepted: ${r.newScore} < ${r.oldScore}`);
    t.equal(r.swapped, true, 'swapped');
    t.ok(
      await logged(gw, `scheduler: policy swapped "rl" -> "rl" (site retrain v${r.version}: ${scores})`),
      'the swap is logged with both scores',
    );
    t.match(status, { policy: 'rl', source: 'site', version: r.version, modelPath: r.modelPath, swaps: 1 });
    const pointer = JSON.parse(readFileSync(join(gw.dataDir, 'scheduler', 'active-model.json'), 'utf8'));
    t.match(pointer, { modelPath: r.modelPath, modelVersion: r.version }, 'a restart will load it');
  } else {
    t.ok(r.newScore >= r.oldScore, `rejected: ${r.newScore} >= ${r.oldScore}`);
    t.ok(await logged(gw, `scheduler: retrained model rejected, ${scores}; keeping "rl"`), 'logged');
    t.match(status, { policy: 'rl', source: 'shipped', swaps: 0 });
  }
  t.match(status, { retrain: { running: null, retrains: 3, last: { result: { version: r.version } } } });

  const shown = await cli('status');
  t.equal(shown.code, 0, shown.stderr);
  t.match(shown.stdout, new RegExp(`policy rl: ${r.accepted ? 'site' : 'shipped'} model v`), 'the CLI shows it');
  t.match(shown.stdout, /retrains 3 \(accepted [01], failed 1\)/);
  t.equal(await gw.stop(), 0, 'clean exit');
});

interface Status {
  policy: string;
  source: string;
  version: string | null;
  modelPath: string | null;
  swaps: number;
}

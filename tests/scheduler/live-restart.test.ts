// Queued tasks survive a gateway restart (the queue lives in the core's store), a task running when the gateway
// stops is finished by its agent after the restart, the `agentos tasks` CLI drives it all, and the site trace the
// gateway records is a valid trace for `agentos model train --trace` (models/rl/site-trace.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { fitAgentSpeeds, parseSiteTrace } from '../../models/rl/site-trace.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { startGateway } from '../helpers/gateway.js';
import { tempDir } from '../helpers/temp-dir.js';
import { gate, sdkAgent, taskClient, waitOnline, waitTask } from './live-fixtures.js';

t.test('restart keeps queued and running tasks; CLI; site trace', async (t) => {
  const dataDir = await tempDir(t, 'agentos-live-restart-');
  // the same port after the restart, so the agents reconnect by themselves
  const port = await freePort();
  const config = { scheduler: { policy: 'sjf', traceFlushIntervalMs: 100 }, broker: { port } };
  const first = await startGateway(t, { dataDir, config });
  let url = first.url;
  const cli = (...args: string[]) => runCli(['tasks', ...args, '--url', url]);

  // a task running on an agent when the gateway stops (a generous timeout: the CLI runs below take seconds each)
  const release = gate();
  const started = gate();
  const early = await sdkAgent(t, first.url, 'early-1', { capabilities: ['long.run'] });
  early.onTask('long.run', async () => {
    started.open();
    await release.promise;
    return { finished: 'after restart' };
  });
  await waitOnline(first, 'early-1');
  let tasks = await taskClient(t, first);
  const long = (
    await tasks.submit({ capability: 'long.run', estDurationMs: 1000, taskId: 'long-1', timeoutMs: 300_000 })
  ).task;
  await started.promise;
  await waitTask(tasks, long.id, (x) => x.state === 'running', 'running');

  // three queued tasks for a capability no agent has yet, one through the CLI
  const submitted = await cli(
    'submit',
    'work.run',
    '--est-ms',
    '100',
    '--cpu',
    '1',
    '--input',
    '{"n":2}',
    '--id',
    'keep-1',
  );
  t.equal(submitted.code, 0, submitted.stderr);
  t.match(submitted.stdout, /task keep-1 queued/);
  for (const n of [3, 4]) await tasks.submit({ capability: 'work.run', estDurationMs: 100 * n, input: { n } });
  const bad = await cli('submit', 'work.run', '--est-ms', '100', '--cpu=-1');
  t.equal(bad.code, 1, 'a bad task fails the command');
  t.match(bad.stderr, /demand\.cpu: must be >= 0/, 'naming the field');
  await first.stop();

  const second = await startGateway(t, { dataDir, config });
  url = second.url;
  tasks = await taskClient(t, second);
  const queued = await tasks.list({ state: 'queued' });
  t.same(queued.map((x) => x.id).sort(), ['keep-1', ...queued.map((x) => x.id).filter((id) => id !== 'keep-1')].sort());
  t.equal(queued.length, 3, 'the three queued tasks are back');
  t.equal((await tasks.get('long-1')).state, 'running', 'the running task is still running');

  // the early agent reconnects by itself and delivers its result; a new agent takes the queue
  await waitOnline(second, 'early-1');
  release.open();
  const worker = await sdkAgent(t, second.url, 'worker-9');
  worker.onTask<{ n: number }>('work.run', (input) => ({ double: input.n * 2 }));
  for (const x of queued) await waitTask(tasks, x.id, (y) => y.state === 'done', 'done after the restart');
  t.same((await tasks.get('keep-1')).result, { double: 4 });
  t.match(await waitTask(tasks, 'long-1', (x) => x.state === 'done', 'long-1 done'), {
    result: { finished: 'after restart' },
    attempts: [{ agentId: 'early-1', outcome: 'done' }],
  });

  const listed = await cli('list', '--state', 'done');
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, /keep-1\s+done\s+work\.run\s+worker-9/);
  const shown = await cli('show', 'keep-1');
  t.match(JSON.parse(shown.stdout), { id: 'keep-1', state: 'done', result: { double: 4 }, input: { n: 2 } });
  const waited = await cli('submit', 'work.run', '--est-ms', '50', '--input', '{"n":21}', '--wait');
  t.equal(waited.code, 0, waited.stderr);
  t.match(waited.stdout, /\{"double":42\}/, 'submit --wait prints the result');
  const cancelled = await cli('cancel', 'keep-1');
  t.match(cancelled.stdout, /task keep-1 already done/);
  await second.stop();

  // the trace of the second run: valid for the trainer, with observed runs of the worker
  const trace = parseSiteTrace(await readFile(join(dataDir, 'scheduler', 'site-trace.json'), 'utf8'));
  t.ok(
    trace.agents.some((a) => a.id === 'worker-9'),
    'the worker is in the trace',
  );
  t.ok(trace.runs.filter((r) => r.agentId === 'worker-9').length >= 4, 'its runs were recorded');
  t.ok(
    trace.tasks.some((x) => x.id === 'keep-1'),
    'a task queued across the restart has its arrival in the new trace, so its run can be replayed',
  );
  t.ok(fitAgentSpeeds(trace).get('worker-9')!.speed > 0, 'a speed can be fitted from it');
  t.match(
    trace.runs.find((r) => r.taskId === 'long-1'),
    { agentId: 'early-1' },
    'the run in flight across the restart is in the new trace',
  );
  const previous = parseSiteTrace(await readFile(join(dataDir, 'scheduler', 'site-trace.1.json'), 'utf8'));
  t.ok(
    previous.tasks.some((x) => x.id === 'keep-1'),
    'the first run trace was rotated, not overwritten',
  );

  // a third start warms the agent speeds and the overrun model from the second run's (now rotated) trace
  const third = await startGateway(t, { dataDir, config });
  const health = third.gateway.context.health.report()['tasks'] as { freeTime: { samples: number } };
  const workerRuns = trace.runs.filter((r) => r.agentId === 'worker-9').length;
  t.ok(
    health.freeTime.samples >= workerRuns - 3,
    `overrun ratios after the restart: ${health.freeTime.samples} (worker-9 ran ${workerRuns}, 3 fit its speed)`,
  );
  await third.stop();
});

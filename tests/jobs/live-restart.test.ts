// A gateway restarted (same data dir) in the middle of a job resumes it from its steps' task states and finishes
// it; the `agentos jobs` CLI submits from a file, lists and shows jobs.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { startGateway } from '../helpers/gateway.js';
import { tempDir } from '../helpers/temp-dir.js';
import { gate, sdkAgent, waitOnline } from '../scheduler/live-fixtures.js';
import { apiClient, type MathInput, mathTask, stepOf, waitJob } from './job-fixtures.js';

t.test('restart in the middle of a job; CLI', async (t) => {
  const dataDir = await tempDir(t, 'agentos-jobs-restart-');
  // the same port after the restart, so the agent reconnects by itself
  const port = await freePort();
  const config = { scheduler: { policy: 'fifo' }, broker: { port }, jobs: { reconcileIntervalMs: 200 } };
  const first = await startGateway(t, { dataDir, config });
  const release = gate();
  const bStarted = gate();
  const agent = await sdkAgent(t, first.url, 'math-r', { capabilities: ['math.op', 'math.slow'] });
  agent.onTask<MathInput>('math.op', (input) => mathTask(input));
  agent.onTask<MathInput>('math.slow', async (input) => {
    bStarted.open();
    await release.promise;
    return mathTask(input);
  });
  await waitOnline(first, 'math-r');

  const specFile = join(await tempDir(t, 'agentos-jobs-spec-'), 'job.json');
  const spec = {
    steps: [
      { id: 'a', capability: 'math.op', input: { op: 'seed', n: 4 } },
      { id: 'b', capability: 'math.slow', input: { op: 'times', k: 10 }, dependsOn: ['a'], timeoutMs: 300_000 },
      { id: 'c', capability: 'math.op', input: { op: 'add' }, dependsOn: ['b'] },
    ],
  };
  await writeFile(specFile, JSON.stringify(spec));
  let url = first.url;
  const submitted = await runCli(['jobs', 'submit', specFile, '--id', 'resume-1', '--url', url]);
  t.equal(submitted.code, 0, submitted.stderr);
  t.match(submitted.stdout, /job resume-1 submitted/);
  await bStarted.promise;
  let api = await apiClient(t, first);
  await waitJob(api, 'resume-1', (j) => stepOf(j, 'b').taskState === 'running', 'b running');
  await first.stop();

  const second = await startGateway(t, { dataDir, config });
  url = second.url;
  api = await apiClient(t, second);
  const back = await waitJob(api, 'resume-1', () => true, 'kept');
  t.match(back, { state: 'running' });
  t.match(stepOf(back, 'a'), { state: 'done', result: 4 });
  t.match(stepOf(back, 'b'), { state: 'running' });
  t.match(stepOf(back, 'c'), { state: 'waiting' });
  await waitOnline(second, 'math-r');
  release.open();
  const job = await waitJob(api, 'resume-1', (j) => j.state !== 'running', 'ended after the restart');
  t.equal(job.state, 'done', job.reason ?? '');
  t.same(job.result, { steps: { a: 4, b: 40, c: 40 } });

  const list = await runCli(['jobs', 'list', '--url', url]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /resume-1\s+done\s+3\s+done:3/);
  const show = await runCli(['jobs', 'show', 'resume-1', '--url', url]);
  t.equal(show.code, 0, show.stderr);
  t.match(JSON.parse(show.stdout), { id: 'resume-1', result: { steps: { c: 40 } } });
  const bad = await runCli(['jobs', 'show', 'nope', '--url', url]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /no job nope/);
});

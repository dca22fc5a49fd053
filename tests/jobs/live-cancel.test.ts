// jobs.cancel on a real gateway: the running step's task is cancelled (its SDK handler is aborted), the waiting steps
// are cancelled, the job ends cancelled; a second cancel returns it unchanged; an unknown job is not_found.
import t from 'tap';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import { gate, sdkAgent, waitOnline } from '../scheduler/live-fixtures.js';
import { apiClient, stepOf, waitJob } from './job-fixtures.js';

t.test('cancel a running job', async (t) => {
  const gw = await startGateway(t, { config: { scheduler: { policy: 'fifo' } } });
  const started = gate();
  const aborted = gate<string>();
  const agent = await sdkAgent(t, gw.url, 'blocker-1', { capabilities: ['block.run'] });
  agent.onTask('block.run', (_input, ctx) => {
    started.open();
    return new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.open(String(ctx.signal.reason ?? 'aborted'));
        reject(new Error('aborted'));
      });
    });
  });
  await waitOnline(gw, 'blocker-1');
  const api = await apiClient(t, gw);
  await api.call('jobs.submit', {
    jobId: 'cancel-1',
    steps: [
      { id: 'a', capability: 'block.run', timeoutMs: 300_000 },
      { id: 'b', capability: 'block.run', dependsOn: ['a'] },
    ],
  });
  await started.promise;
  await waitJob(api, 'cancel-1', (j) => stepOf(j, 'a').taskState === 'running', 'step a running');

  const r = await api.call<{ job: { state: string } }>('jobs.cancel', { jobId: 'cancel-1', reason: 'test says stop' });
  t.equal(r.job.state, 'cancelled');
  await aborted.promise;
  t.pass('the running task reached its handler as a cancel');
  const job = await waitJob(api, 'cancel-1', (j) => j.state === 'cancelled', 'cancelled');
  t.match(stepOf(job, 'a'), { state: 'cancelled', reason: 'test says stop' });
  t.match(stepOf(job, 'b'), { state: 'cancelled', taskId: null }, 'never submitted');
  const task = await api.call<{ task: { state: string; reason: string } }>('tasks.get', { taskId: 'cancel-1.s0' });
  t.match(task.task, { state: 'cancelled', reason: /job cancelled: test says stop/ });
  const again = await api.call<{ job: { state: string } }>('jobs.cancel', { jobId: 'cancel-1' });
  t.equal(again.job.state, 'cancelled', 'a finished job is returned unchanged');
  t.match(await errorBody(api.call('jobs.cancel', { jobId: 'nope' })), { code: 'not_found', field: 'params.jobId' });
});

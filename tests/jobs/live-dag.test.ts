// Jobs on a real in-process gateway with real SDK agents: a diamond DAG whose last step sees both branches' results,
// aggregated (collect and sum); the retained job state topic; a failing step that skips its dependents and fails the
// job; idempotent jobId; spec errors over the API naming the field.
import t from 'tap';
import { type JobStateMessage, jobStateSchema } from '../../runtime/bus/schemas/job-messages.js';
import { topics } from '../../runtime/bus/topics.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { sdkAgent, waitOnline } from '../scheduler/live-fixtures.js';
import { apiClient, diamond, type MathInput, mathTask, stepOf, waitJob } from './job-fixtures.js';

t.test('diamond, retained state, failure, idempotency, bad specs', async (t) => {
  const gw = await startGateway(t, { config: { scheduler: { policy: 'fifo' }, jobs: { stepsPerJobMax: 8 } } });
  const seen: Array<{ step: string; input: MathInput }> = [];
  for (const id of ['math-1', 'math-2']) {
    const agent = await sdkAgent(t, gw.url, id, { capabilities: ['math.op'] });
    agent.onTask<MathInput>('math.op', (input) => {
      seen.push({ step: String(input.op), input });
      return mathTask(input);
    });
    await waitOnline(gw, id);
  }
  const api = await apiClient(t, gw);

  await t.test('diamond: d gets b and c, the job collects every result', async (t) => {
    const r = await api.call<{ job: { id: string; state: string }; created: boolean }>(
      'jobs.submit',
      diamond('math.op', 'dia-1'),
    );
    t.match(r, { job: { id: 'dia-1' }, created: true });
    const job = await waitJob(api, 'dia-1', (j) => j.state !== 'running', 'ended');
    t.equal(job.state, 'done', job.reason ?? '');
    t.same(job.result, { steps: { a: 2, b: 6, c: 10, d: 16 } });
    const d = seen.find((s) => s.input.op === 'add');
    t.same(d?.input, { op: 'add', from: { b: 6, c: 10 } }, "d's input carries b's and c's results");
    t.equal(stepOf(job, 'd').taskId, 'dia-1.s3', 'steps run as tasks {jobId}.s{index}');
    const task = await api.call<{ task: { state: string; result: unknown } }>('tasks.get', { taskId: 'dia-1.s3' });
    t.match(task.task, { state: 'done', result: 16 });

    const mqtt = await connectMqtt(t, gw.url);
    const next = nextMessage(mqtt, topics.jobState('dia-1'));
    await mqtt.subscribeAsync(topics.jobState('dia-1'));
    const retained = await next;
    const state = JSON.parse(retained.payload.toString()) as JobStateMessage;
    t.match(state, {
      jobId: 'dia-1',
      state: 'done',
      steps: { a: 'done', b: 'done', c: 'done', d: 'done' },
      result: { steps: { d: 16 } },
    });
    t.ok(gw.gateway.context.validator.check('job-state', jobStateSchema, state).ok, 'matches its schema');
  });

  await t.test('same jobId and spec returns the job; another spec is refused', async (t) => {
    const again = await api.call<{ created: boolean }>('jobs.submit', diamond('math.op', 'dia-1'));
    t.equal(again.created, false);
    const other = await errorBody(api.call('jobs.submit', diamond('math.op', 'dia-1', { aggregate: 'sum' })));
    t.match(other, { code: 'bad_message', field: 'params.jobId', message: /another spec/ });
  });

  await t.test('sum of the final steps', async (t) => {
    await api.call('jobs.submit', diamond('math.op', 'dia-sum', { aggregate: 'sum' }));
    const job = await waitJob(api, 'dia-sum', (j) => j.state !== 'running', 'ended');
    t.match(job, { state: 'done', result: { value: 16, steps: ['d'] } });
  });

  await t.test('a failing step skips its dependents and fails the job', async (t) => {
    const spec = {
      jobId: 'fail-1',
      steps: [
        { id: 'a', capability: 'math.op', input: { op: 'seed', n: 1 } },
        { id: 'b', capability: 'math.op', input: { op: 'fail' }, dependsOn: ['a'] },
        { id: 'c', capability: 'math.op', input: { op: 'times', k: 2 }, dependsOn: ['a'] },
        { id: 'd', capability: 'math.op', input: { op: 'add' }, dependsOn: ['b', 'c'] },
        { id: 'e', capability: 'math.op', input: { op: 'add' }, dependsOn: ['d'] },
      ],
    };
    await api.call('jobs.submit', spec);
    const job = await waitJob(api, 'fail-1', (j) => j.state !== 'running', 'ended', 30000);
    t.equal(job.state, 'failed');
    t.match(job.reason, /step "b" failed/);
    t.match(stepOf(job, 'b'), { state: 'failed', reason: /asked to fail/ });
    t.match(stepOf(job, 'c'), { state: 'done', result: 2 }, 'an independent branch still finishes');
    t.match(stepOf(job, 'd'), { state: 'skipped', reason: 'step "b" failed' });
    t.match(stepOf(job, 'e'), { state: 'skipped', reason: 'step "b" failed' }, 'transitively, naming the failed step');
  });

  await t.test('bad specs name the field', async (t) => {
    const cycle = await errorBody(
      api.call('jobs.submit', {
        steps: [
          { id: 'a', capability: 'math.op', dependsOn: ['c'] },
          { id: 'b', capability: 'math.op', dependsOn: ['a'] },
          { id: 'c', capability: 'math.op', dependsOn: ['b'] },
        ],
      }),
    );
    t.match(cycle, { code: 'bad_message', field: 'params.steps[0].dependsOn', message: /cycle: a -> c -> b -> a/ });
    const unknown = await errorBody(
      api.call('jobs.submit', { steps: [{ id: 'a', capability: 'math.op', dependsOn: ['nope'] }] }),
    );
    t.match(unknown, { field: 'params.steps[0].dependsOn[0]', message: /unknown step "nope"/ });
    const dup = await errorBody(
      api.call('jobs.submit', {
        steps: [
          { id: 'a', capability: 'math.op' },
          { id: 'a', capability: 'math.op' },
        ],
      }),
    );
    t.match(dup, { field: 'params.steps[1].id', message: /duplicate step id "a"/ });
    const many = Array.from({ length: 9 }, (_, i) => ({ id: `s${i}`, capability: 'math.op' }));
    t.match(await errorBody(api.call('jobs.submit', { steps: many })), {
      code: 'limit_reached',
      field: 'params.steps',
      message: /9 steps; the limit is 8 \(jobs\.stepsPerJobMax\)/,
    });
    const schema = await errorBody(api.call('jobs.submit', { steps: [{ id: 'a' }] }));
    t.match(schema, { code: 'bad_message', field: /params\.steps/ });
    t.same((await api.call<{ jobs: unknown[] }>('jobs.list', { state: 'running' })).jobs, [], 'nothing half-created');
  });
});

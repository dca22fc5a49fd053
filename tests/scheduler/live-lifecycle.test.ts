// The live task lifecycle on a real gateway (in-process, embedded aedes on a free port) with real SDK agents and the
// default policy (the shipped rl model): submit -> done with a result, every transition published retained, bad
// input named by field, cancellation reaching the agent's handler, a duplicated result recorded once, retries on
// another agent until the limit, and a full queue refused with a clear error.
import { join } from 'node:path';
import t from 'tap';
import { topics } from '../../runtime/bus/topics.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { gate, sdkAgent, taskClient, waitOnline, waitTask } from './live-fixtures.js';

/** the scheduler's section of the gateway health report */
function taskHealth(gw: TestGateway): Record<string, unknown> {
  const health = gw.gateway.context.health.report()['tasks'] as Record<string, unknown> | undefined;
  if (!health) throw new Error('no tasks section in health');
  return health;
}

t.test('submit -> done with its result, transitions published', async (t) => {
  const gw = await startGateway(t, { config: { scheduler: { traceFlushIntervalMs: 100 } } });
  const tasks = await taskClient(t, gw);
  const seen: string[] = [];
  const agent = await sdkAgent(t, gw.url, 'worker-1');
  agent.onTask<{ n: number }, { square: number }>('work.run', async (input, ctx) => {
    ctx.progress(0.5);
    // the result travels QoS2 through the outbox and may overtake the QoS1 progress; finish once running was seen
    await waitFor(() => seen.some((s) => s.endsWith(' running')), 10000, 'the running transition');
    return { square: input.n * input.n };
  });
  await waitOnline(gw, 'worker-1');
  const watcher = await connectMqtt(t, gw.url);
  watcher.on('message', (topic, payload) => {
    if (payload.length > 0) seen.push(`${topic} ${(JSON.parse(payload.toString()) as { state: string }).state}`);
  });
  await watcher.subscribeAsync(topics.anyTaskState, { qos: 1 });
  const { task, created } = await tasks.submit({
    capability: 'work.run',
    demand: { cpu: 1, memoryMb: 128 },
    estDurationMs: 200,
    priority: 5,
    input: { n: 7 },
  });
  t.ok(created, 'a new task');
  t.equal(task.capability, 'work.run');
  const done = await tasks.wait(task.id, 20000);
  t.equal(done.state, 'done');
  t.same(done.result, { square: 49 }, 'the result is stored');
  t.equal(done.attempts.length, 1);
  t.equal(done.attempts[0]?.agentId, 'worker-1');
  await waitFor(() => seen.some((s) => s.endsWith(' done')), 10000, 'the done transition');
  const states = seen.filter((s) => s.startsWith(topics.taskState(task.id))).map((s) => s.split(' ')[1]);
  t.same([...new Set(states)], ['queued', 'assigned', 'running', 'done'], 'every transition was published in order');
  // the retained state is there for a late subscriber
  const late = await connectMqtt(t, gw.url);
  const retained = nextMessage(late, topics.taskState(task.id), 10000);
  await late.subscribeAsync(topics.taskState(task.id), { qos: 1 });
  t.match((await retained).json, { taskId: task.id, state: 'done', result: { square: 49 }, agentId: 'worker-1' });
  const again = await tasks.submit({ taskId: task.id, capability: 'work.run', estDurationMs: 1 });
  t.equal(again.created, false, 'submitting an existing taskId returns that task');
  t.equal(again.task.state, 'done');
  t.match(taskHealth(gw), { done: 1, policy: 'rl' }, 'placed by the shipped rl policy');
  t.match(
    taskHealth(gw),
    { freeTime: { model: 'estimate', fit: null } },
    'the shipped model is shown the free times it was trained with (its card has no freeTime: estimates)',
  );
});

t.test('one gateway, several agents: bad input, cancel, duplicated result, deadline', async (t) => {
  const gw = await startGateway(t);
  const tasks = await taskClient(t, gw);

  await t.test('bad input is refused naming the field; nothing is stored', async (t) => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ capability: 'work.run', estDurationMs: 100, demand: { cpu: -1 } }, 'params.demand.cpu'],
      [{ capability: 'work.run' }, 'params.estDurationMs'],
      [{ capability: 'Not A Capability', estDurationMs: 100 }, 'params.capability'],
      [{ capability: 'work.run', estDurationMs: 100, priority: 12 }, 'params.priority'],
      [{ capability: 'work.run', estDurationMs: 100, colour: 'red' }, 'params.colour'],
      [{ capability: 'work.run', estDurationMs: 100, deadlineMs: Date.now() - 1000 }, 'params.deadlineMs'],
    ];
    for (const [params, field] of cases) {
      const body = await errorBody(tasks.submit(params as never));
      t.equal(body.code, 'bad_message', `${field}: bad_message`);
      t.equal(body.field, field, `names ${field}: ${body.message}`);
    }
    t.same(await tasks.list(), [], 'no task was stored');
  });

  await t.test('cancel: a running task stops on its agent; a queued one just ends', async (t) => {
    const aborted = gate<string>();
    const slow = await sdkAgent(t, gw.url, 'slow-1', { capabilities: ['slow.run'] });
    slow.onTask('slow.run', (_input, ctx) => {
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted.open(String((ctx.signal.reason as Error).message));
          reject(ctx.signal.reason);
        });
      });
    });
    await waitOnline(gw, 'slow-1');
    const { task } = await tasks.submit({ capability: 'slow.run', estDurationMs: 60000 });
    await waitTask(tasks, task.id, (x) => x.state === 'running', 'running');
    const cancelled = await tasks.cancel(task.id, 'operator changed their mind');
    t.equal(cancelled.state, 'cancelled');
    t.match(await aborted.promise, /cancelled: operator changed their mind/, 'the handler saw the abort');
    const after = await tasks.get(task.id);
    t.equal(after.state, 'cancelled', 'the failed report that follows the abort does not move it');
    t.equal(after.attempts[0]?.outcome, 'cancelled');
    const queued = await tasks.submit({ capability: 'nobody.has', estDurationMs: 100 });
    t.equal((await tasks.cancel(queued.task.id)).state, 'cancelled', 'a queued task is cancelled');
    const body = await errorBody(tasks.cancel('no-such-task'));
    t.match(body, { code: 'not_found', field: 'params.taskId' });
  });

  await t.test('a duplicated result is recorded once', async (t) => {
    const raw = await connectMqtt(t, gw.url, { clientId: 'raw-1' });
    const assignTopic = topics.agent('raw-1', 'taskAssign');
    await raw.subscribeAsync(assignTopic, { qos: 1 });
    await raw.publishAsync(
      topics.agent('raw-1', 'hello'),
      JSON.stringify({ kind: 'software', capabilities: ['dup.run'], capacity: { cpu: 1 } }),
      { qos: 1 },
    );
    await waitOnline(gw, 'raw-1');
    const before = { ...taskHealth(gw) };
    const assigned = nextMessage(raw, assignTopic, 20000);
    const { task } = await tasks.submit({ capability: 'dup.run', estDurationMs: 50, input: { x: 1 } });
    const assign = (await assigned).json as { taskId: string; input: unknown; timeoutMs: number };
    t.equal(assign.taskId, task.id);
    t.same(assign.input, { x: 1 }, 'the input reaches the agent');
    t.ok(assign.timeoutMs >= 50, 'with its attempt timeout');
    const update = (u: Record<string, unknown>) =>
      raw.publishAsync(topics.agent('raw-1', 'taskUpdate'), JSON.stringify({ taskId: task.id, ...u }), { qos: 1 });
    await update({ state: 'accepted' });
    await update({ state: 'done', msgId: 'r-1', result: { v: 1 } });
    await update({ state: 'done', msgId: 'r-1', result: { v: 1 } }); // the outbox resending after a reconnect
    await update({ state: 'done', msgId: 'r-2', result: { v: 2 } }); // a second result under another id
    await update({ state: 'done', result: { v: 3 } });
    await waitFor(
      () => {
        const h = taskHealth(gw);
        return (h['duplicateResults'] as number) - (before['duplicateResults'] as number) === 2;
      },
      10000,
      'the two later results counted as duplicates',
    );
    const h = taskHealth(gw);
    t.equal((h['done'] as number) - (before['done'] as number), 1, 'done once');
    t.equal((h['updatesRepeated'] as number) - (before['updatesRepeated'] as number), 1, 'the resend was deduplicated');
    const done = await tasks.get(task.id);
    t.equal(done.state, 'done');
    t.same(done.result, { v: 1 }, 'the first result is kept');
  });

  await t.test('a deadline that passes while queued ends the task timed-out', async (t) => {
    const { task } = await tasks.submit({ capability: 'nobody.has', estDurationMs: 100, deadlineMs: Date.now() + 300 });
    const ended = await waitTask(tasks, task.id, (x) => x.state === 'timed-out', 'timed-out');
    t.match(ended.reason, /deadline .* passed/);
  });
});

t.test('retries on another agent until retriesMax, then failed; a full queue is refused', async (t) => {
  const gw = await startGateway(t, { config: { scheduler: { retriesMax: 1, queueLengthMax: 3, policy: 'fifo' } } });
  const tasks = await taskClient(t, gw);
  for (const id of ['bad-1', 'bad-2', 'bad-3']) {
    const a = await sdkAgent(t, gw.url, id, { capabilities: ['flaky.run'] });
    a.onTask('flaky.run', () => {
      throw new Error(`boom on ${id}`);
    });
    await waitOnline(gw, id);
  }
  const { task } = await tasks.submit({ capability: 'flaky.run', estDurationMs: 50 });
  const failed = await waitTask(tasks, task.id, (x) => x.state === 'failed', 'failed');
  t.equal(failed.attempts.length, 2, 'one try and one retry (retriesMax 1)');
  const agents = failed.attempts.map((a) => a.agentId);
  t.not(agents[0], agents[1], 'the retry ran on another agent');
  t.same(
    failed.attempts.map((a) => a.outcome),
    ['failed', 'failed'],
  );
  t.match(failed.reason, /boom on bad-\d .*retriesMax 1/, 'the reason names the last error and the limit');

  const kept = [];
  for (let i = 0; i < 3; i++) kept.push((await tasks.submit({ capability: 'nobody.has', estDurationMs: 100 })).task.id);
  const body = await errorBody(tasks.submit({ capability: 'nobody.has', estDurationMs: 100 }));
  t.equal(body.code, 'limit_reached');
  t.match(body.message, /task queue is full: 3 tasks waiting or running \(scheduler.queueLengthMax 3\)/);
  await tasks.cancel(kept[0]!);
  t.ok((await tasks.submit({ capability: 'nobody.has', estDurationMs: 100 })).created, 'room again after a cancel');
});

t.test('a refused model: the fallback heuristic places the tasks', async (t) => {
  const dir = await tempDir(t, 'agentos-live-model-');
  const gw = await startGateway(t, {
    config: { scheduler: { policy: 'rl', modelPath: join(dir, 'missing.onnx'), fallback: 'least-loaded' } },
  });
  const tasks = await taskClient(t, gw);
  const agent = await sdkAgent(t, gw.url, 'fb-1');
  agent.onTask('work.run', () => 'ok');
  await waitOnline(gw, 'fb-1');
  for (let i = 0; i < 5; i++) {
    const { task } = await tasks.submit({ capability: 'work.run', estDurationMs: 10 });
    t.equal((await tasks.wait(task.id, 20000)).result, 'ok');
  }
  t.match(taskHealth(gw), { policy: 'least-loaded', done: 5 });
  t.match(
    taskHealth(gw),
    { freeTime: { model: 'fitted', samples: 2, fit: null } },
    'a heuristic gets scheduler.freeTime (default fitted); runs count from the 4th, once the agent speed is fitted',
  );
});

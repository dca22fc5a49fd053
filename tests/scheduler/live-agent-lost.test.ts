// An agent that loses its link mid-task (its client socket cut under it, so the broker publishes its last will):
// the task is re-queued, runs on another agent and is done there; the first agent's late result, delivered once it
// reconnects, is counted as stale and does not change the recorded result. An agent that just goes silent is lost by
// the heartbeat timeout the same way.
import t from 'tap';
import { topics } from '../../runtime/bus/topics.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { gate, relay, sdkAgent, taskClient, waitOnline, waitTask } from './live-fixtures.js';

t.test('an agent lost mid-task: re-queued and done elsewhere', async (t) => {
  const gw = await startGateway(t);
  const tasks = await taskClient(t, gw);
  const link = await relay(t, gw.url);
  const started = gate();
  const release = gate();
  const a = await sdkAgent(t, link.url, 'edge-a');
  a.onTask('work.run', async () => {
    started.open();
    await release.promise;
    return { by: 'edge-a' };
  });
  await waitOnline(gw, 'edge-a');
  const { task } = await tasks.submit({
    capability: 'work.run',
    demand: { cpu: 1 },
    estDurationMs: 500,
    timeoutMs: 120_000,
  });
  await started.promise;
  await waitTask(tasks, task.id, (x) => x.state === 'running' && x.attempts[0]?.agentId === 'edge-a', 'running on a');

  const b = await sdkAgent(t, gw.url, 'edge-b');
  b.onTask('work.run', () => ({ by: 'edge-b' }));
  await waitOnline(gw, 'edge-b');
  t.ok(link.cut() > 0, 'edge-a lost its socket');

  const done = await waitTask(tasks, task.id, (x) => x.state === 'done', 'done on edge-b');
  t.same(done.result, { by: 'edge-b' });
  t.same(
    done.attempts.map((x) => [x.agentId, x.outcome]),
    [
      ['edge-a', 'lost'],
      ['edge-b', 'done'],
    ],
    'the lost attempt, then the one that finished it',
  );
  t.match(done.attempts[0]?.reason, /agent edge-a lost/);

  // edge-a comes back and finally reports its own result: too late, and not its attempt any more
  await waitOnline(gw, 'edge-a');
  const health = () => gw.gateway.context.health.report()['tasks'] as Record<string, number>;
  const staleBefore = health()['staleUpdates'] ?? 0;
  release.open();
  await a.flush(20000);
  await waitFor(() => (health()['staleUpdates'] ?? 0) > staleBefore, 10000, 'the late result counted as stale');
  const after = await tasks.get(task.id);
  t.same(after.result, { by: 'edge-b' }, 'the recorded result did not change');
  t.equal(health()['done'], 1, 'done once');
  t.equal(health()['requeued'], 1, 're-queued once');
});

t.test('the only capable agent lost and back: the retry goes to it and its run in progress answers', async (t) => {
  const gw = await startGateway(t, { config: { scheduler: { policy: 'fifo' } } });
  const tasks = await taskClient(t, gw);
  const link = await relay(t, gw.url);
  const started = gate();
  const release = gate();
  let runs = 0;
  const solo = await sdkAgent(t, link.url, 'solo-1', { capabilities: ['solo.run'] });
  solo.onTask('solo.run', async () => {
    runs++;
    started.open();
    await release.promise;
    return { runs };
  });
  await waitOnline(gw, 'solo-1');
  const { task } = await tasks.submit({ capability: 'solo.run', estDurationMs: 500, timeoutMs: 120_000 });
  await started.promise;
  t.ok(link.cut() > 0, 'solo-1 lost its socket');
  const again = await waitTask(tasks, task.id, (x) => x.attempts.length === 2 && x.state === 'running', 'placed again');
  t.same(
    again.attempts.map((x) => [x.agentId, x.outcome]),
    [
      ['solo-1', 'lost'],
      ['solo-1', 'active'],
    ],
  );
  release.open();
  const done = await waitTask(tasks, task.id, (x) => x.state === 'done', 'done');
  t.same(done.result, { runs: 1 }, 'the handler ran once; the second placement joined the run in progress');
});

t.test('an agent that goes silent (no last will) is lost by the heartbeat timeout; its task moves on', async (t) => {
  const gw = await startGateway(t, {
    config: { liveness: { heartbeatTimeoutMs: 1500, checkIntervalMs: 100 }, scheduler: { policy: 'fifo' } },
  });
  const tasks = await taskClient(t, gw);
  // a bare MQTT agent without a last will, which accepts the task and then says nothing more
  const mute = await connectMqtt(t, gw.url, { clientId: 'mute-1' });
  const assignTopic = topics.agent('mute-1', 'taskAssign');
  await mute.subscribeAsync(assignTopic, { qos: 1 });
  await mute.publishAsync(
    topics.agent('mute-1', 'hello'),
    JSON.stringify({ kind: 'device', capabilities: ['quiet.run'], capacity: { cpu: 1 } }),
    { qos: 1 },
  );
  await waitOnline(gw, 'mute-1');
  const assigned = nextMessage(mute, assignTopic, 20000);
  const { task } = await tasks.submit({ capability: 'quiet.run', estDurationMs: 100 });
  t.equal(((await assigned).json as { taskId: string }).taskId, task.id);
  await mute.publishAsync(
    topics.agent('mute-1', 'taskUpdate'),
    JSON.stringify({ taskId: task.id, state: 'accepted' }),
    {
      qos: 1,
    },
  );
  await waitTask(tasks, task.id, (x) => x.state === 'running', 'running on mute-1');
  const helper = await sdkAgent(t, gw.url, 'loud-1', { capabilities: ['quiet.run'], heartbeatMs: 300 });
  helper.onTask('quiet.run', () => ({ by: 'loud-1' }));
  const done = await waitTask(tasks, task.id, (x) => x.state === 'done', 'done by loud-1');
  t.same(done.result, { by: 'loud-1' });
  t.match(done.attempts, [
    { agentId: 'mute-1', outcome: 'lost', reason: /no message for 1500 ms/ },
    { agentId: 'loud-1', outcome: 'done' },
  ]);
});

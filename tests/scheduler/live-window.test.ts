// The live gateway's observation window is shared by capability: tasks for a capability nobody offers fill the queue,
// yet a task behind them that an online agent can run is placed (before the window change it waited forever).
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { sdkAgent, taskClient, waitOnline } from './live-fixtures.js';

t.test('a backlog of one capability does not hide a runnable task behind it', async (t) => {
  const gw = await startGateway(t, { config: { scheduler: { observationTasksMax: 4, policy: 'hungarian' } } });
  const tasks = await taskClient(t, gw);
  const agent = await sdkAgent(t, gw.url, 'worker-w');
  agent.onTask<{ n: number }, { n: number }>('work.run', async (input) => ({ n: input.n }));
  await waitOnline(gw, 'worker-w');
  const stuck: string[] = [];
  for (let i = 0; i < 8; i++) {
    const { task } = await tasks.submit({
      capability: 'nobody.has',
      demand: { cpu: 0.1 },
      estDurationMs: 100,
      input: { i },
    });
    stuck.push(task.id);
  }
  const { task } = await tasks.submit({
    capability: 'work.run',
    demand: { cpu: 1 },
    estDurationMs: 100,
    input: { n: 3 },
  });
  const done = await tasks.wait(task.id, 20000);
  t.equal(done.state, 'done', 'the runnable task ran');
  t.same(done.result, { n: 3 });
  for (const id of stuck) t.equal((await tasks.get(id)).state, 'queued', `${id} still waits for its capability`);
});

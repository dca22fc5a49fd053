// scheduler.siteLearning.enabled: the gateway retrains by itself after everyRuns completed runs, in its worker
// process, and logs the outcome like a retrain asked over the API. With 0 episodes the candidate is the running network,
// so the outcome is known: rejected, nothing swapped. A bad siteLearning setting is refused naming the field.
import { pino } from 'pino';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { validateConfig } from '../../runtime/config/load.js';
import { TaskClient } from '../../sdk/index.js';
import { startGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { sdkAgent } from './live-fixtures.js';

interface Status {
  source: string;
  swaps: number;
  retrain: {
    retrains: number;
    runsSinceLast: number;
    last: { trigger: string; result: { accepted: boolean; swapped: boolean } | null; error: string | null } | null;
  };
}

t.test('an automatic retrain after everyRuns completed runs', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s).msg) });
  const scheduler = {
    traceFlushIntervalMs: 100,
    siteLearning: { enabled: true, everyRuns: 20, episodes: 0, windowTasks: 10 },
  };
  const gw = await startGateway(t, { logger, config: { scheduler } });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 15_000 });
  t.teardown(() => api.close());
  const tasks = await TaskClient.connect({ url: gw.url, timeoutMs: 15_000 });
  t.teardown(() => tasks.close());
  const agent = await sdkAgent(t, gw.url, 'auto-1');
  agent.onTask('work.run', () => ({ ok: true }));
  // one after the other: arrivals at distinct times, so the 20 arrivals before the 20th run make >= 2 windows of 10
  for (let i = 0; i < 20; i++) {
    const { task } = await tasks.submit({ capability: 'work.run', estDurationMs: 20, taskId: `auto-${i}` });
    t.equal((await tasks.wait(task.id, 30_000)).state, 'done');
  }
  const status = await waitFor(
    async () => {
      const s = await api.call<Status>('model.status');
      return s.retrain.last ? s : undefined;
    },
    120_000,
    'the automatic retrain to finish',
    100,
  );
  t.match(status.retrain, { retrains: 1, last: { trigger: 'auto', error: null, result: { accepted: false } } });
  t.match(status, { source: 'shipped', swaps: 0 }, 'nothing swapped');
  t.ok(
    lines.some((l) =>
      /^scheduler: retrained model rejected, held-out mean slowdown (\S+) vs running \1; keeping "rl"$/.test(l),
    ),
    'the rejection is logged with both (equal) scores',
  );
});

t.test('a bad siteLearning setting names the field', async (t) => {
  t.throws(
    () => validateConfig({ scheduler: { siteLearning: { everyRuns: 0, heldOutFraction: 1, bogus: 1 } } }, 'test'),
    /scheduler\.siteLearning\.everyRuns: must be >= 10.*scheduler\.siteLearning\.heldOutFraction: must be < 1/s,
  );
  t.throws(
    () => validateConfig({ scheduler: { siteLearning: { bogus: 1 } } }, 'test'),
    /scheduler\.siteLearning.*bogus/,
  );
});

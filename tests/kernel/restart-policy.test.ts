// The restart decision as a pure function: exponential backoff with its cap, the reset after a healthy run, the
// crash-loop window, and the three policies.
import t from 'tap';
import type { RestartSpec } from '../../runtime/kernel/supervisor/manifest.js';
import {
  backoffMs,
  decideRestart,
  type RestartState,
  type RunEnd,
} from '../../runtime/kernel/supervisor/restart-policy.js';

const spec: RestartSpec = {
  policy: 'on-failure',
  backoffInitialMs: 100,
  backoffMaxMs: 1000,
  crashLoopMax: 5,
  crashLoopWindowMs: 60000,
  healthyAfterMs: 10000,
};
const crash = (startedAtMs: number, endedAtMs: number, code = 1): RunEnd => ({
  code,
  signal: null,
  startedAtMs,
  endedAtMs,
});

t.test('backoff doubles per failure in a row and is capped', async (t) => {
  t.same(
    [1, 2, 3, 4, 5, 6].map((n) => backoffMs(spec, n)),
    [100, 200, 400, 800, 1000, 1000],
  );
  const state: RestartState = { consecutiveFailures: 0, restartTimesMs: [] };
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const d = decideRestart(spec, state, crash(i * 1000, i * 1000 + 50));
    if (d.action === 'restart') delays.push(d.delayMs);
  }
  t.same(delays, [100, 200, 400, 800]);
  const healthy = decideRestart(spec, state, crash(10000, 30000));
  t.same(healthy, { action: 'restart', delayMs: 100 }, 'a run longer than healthyAfterMs resets the backoff');
});

t.test('more than crashLoopMax restarts in the window is a crash loop; old restarts age out', async (t) => {
  const state: RestartState = { consecutiveFailures: 0, restartTimesMs: [] };
  for (let i = 0; i < 5; i++) t.equal(decideRestart(spec, state, crash(i, i + 1)).action, 'restart');
  const loop = decideRestart(spec, state, crash(10, 11, 2));
  t.same(loop, {
    action: 'stop',
    status: 'failed',
    reason: 'crash loop: 5 restarts within 60000 ms, last exited with code 2',
  });
  const later = decideRestart(spec, { consecutiveFailures: 5, restartTimesMs: [0, 1, 2, 3, 4] }, crash(70000, 70001));
  t.equal(later.action, 'restart', 'restarts older than the window no longer count');
});

t.test('policies: on-failure, always, never; a memory kill is a failure', async (t) => {
  const fresh = (): RestartState => ({ consecutiveFailures: 0, restartTimesMs: [] });
  t.same(decideRestart(spec, fresh(), crash(0, 1, 0)), {
    action: 'stop',
    status: 'stopped',
    reason: 'exited with code 0',
  });
  t.same(decideRestart({ ...spec, policy: 'always' }, fresh(), crash(0, 1, 0)), { action: 'restart', delayMs: 100 });
  t.same(decideRestart({ ...spec, policy: 'never' }, fresh(), crash(0, 1, 3)), {
    action: 'stop',
    status: 'failed',
    reason: 'exited with code 3',
  });
  const oom: RunEnd = {
    code: null,
    signal: 'SIGKILL',
    killedFor: 'memory limit exceeded: rss 99.0 MiB > limit 96 MiB',
    startedAtMs: 0,
    endedAtMs: 1,
  };
  t.same(decideRestart({ ...spec, policy: 'never' }, fresh(), oom), {
    action: 'stop',
    status: 'failed',
    reason: oom.killedFor!,
  });
  t.same(decideRestart(spec, fresh(), { ...oom, code: 0, signal: null }), { action: 'restart', delayMs: 100 });
});

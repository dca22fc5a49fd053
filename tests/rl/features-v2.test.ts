// Feature schema v2 (runtime/scheduler/features.ts, candidate-extractor.ts): the per-capability queue and the pair's
// alternatives mean what their normalization text says, on a hand-built observation.
import t from 'tap';
import { extractCandidates } from '../../runtime/scheduler/candidate-extractor.js';
import { FEATURE_COUNT, FEATURES } from '../../runtime/scheduler/features.js';
import { agent, obs, task } from '../scheduler/fixtures.js';

const col = (name: string) => FEATURES.findIndex((f) => f.name === name);

t.test('capability and alternative features', async (t) => {
  const now = 10_000;
  const o = obs(
    [
      task('a', { estDurationMs: 1000, arrivalMs: 9000 }),
      task('b', { estDurationMs: 4000, arrivalMs: 9500, demand: { cpu: 4, memoryMb: 0, bandwidthKbps: 0 } }),
    ],
    [
      agent('slow', { speed: 0.5 }),
      agent('fast-busy', {
        speed: 2,
        running: 1,
        used: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 },
        estFreeAtMs: now + 500,
      }),
    ],
    now,
  );
  const c = extractCandidates(o, true, { oldestTasksMax: 0, shortestTasksMax: 16 });
  t.equal(c.features.length, c.rows * FEATURE_COUNT);
  const row = (ti: number, ai: number) => {
    for (let r = 0; r < c.rows; r++) if (c.taskIndex[r] === ti && c.agentIndex[r] === ai) return r * FEATURE_COUNT;
    throw new Error(`no row ${ti},${ai}`);
  };
  const aSlow = row(0, 0);
  const aFast = row(0, 1);
  const bSlow = row(1, 0);
  const f = c.features;
  t.equal(f[aSlow + col('cap_backlog')], Math.fround(Math.log1p(2) / 4), 'two waiting tasks of x');
  t.equal(f[aSlow + col('cap_duration_rank')], 0, 'a is the shortest of x');
  t.equal(f[bSlow + col('cap_duration_rank')], 1, 'b the longest');
  t.equal(f[aSlow + col('cap_idle_share')], 0.5, 'one of two x agents idle');
  t.equal(f[aSlow + col('agent_speed_rel_free')], 0.25, 'a fits both: slow is 0.5 / 2');
  t.equal(f[aFast + col('agent_speed_rel_free')], 1);
  t.equal(f[aSlow + col('pair_wait_alt')], 1, 'a fits the fast agent now: no waiting alternative');
  // b fits only the idle slow agent; waiting for the fast one: 500 ms + 4000 / 2 = 2500 ms vs 8000 ms here
  t.ok(Math.abs(f[bSlow + col('pair_wait_alt')]! - Math.log2(2500 / 8000) / 3) < 1e-6, 'waiting is 3.2x faster');
  t.ok(Math.abs(f[aFast + col('pair_slowdown_if_placed')]! - Math.log((1000 + 500) / 1000) / 3) < 1e-6);
  const w = c.waitRow * FEATURE_COUNT;
  t.equal(f[w + col('is_wait')], 1);
  t.equal(f[w + col('cap_backlog')], 0, 'the wait row has no task');
});

t.test('the capability queues stay whole when their memory bound clears them', async (t) => {
  const { CapabilityQueues } = await import('../../runtime/scheduler/capability-context.js');
  const queues = new CapabilityQueues();
  // 1020 capabilities, then an observation that takes the map past the 1024 bound: x, seen first, must survive
  queues.update(Array.from({ length: 1020 }, (_, i) => task(`old${i}`, { capability: `c${i}` })));
  const now = [task('a', { capability: 'x', estDurationMs: 10 }), task('b', { capability: 'x', estDurationMs: 30 })];
  queues.update([...now, ...Array.from({ length: 20 }, (_, i) => task(`n${i}`, { capability: `d${i}` }))]);
  const x = queues.get('x');
  t.equal(x?.waiting, 2, 'both tasks of x counted');
  t.equal(x?.workMs, 40);
  t.equal(queues.get('c5'), undefined, 'a capability not in this observation has no queue');
});

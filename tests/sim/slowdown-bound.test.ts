// The lower bound of bench scheduler-headroom (bench/lib/scheduler/slowdown-bound.ts): the preemptive WSPT mean busy
// times on a hand-checked case, and the bound never above what real policies (including clairvoyant variants) reach.
import t from 'tap';
import { exactScenario } from '../../bench/lib/scheduler/oracle-variants.js';
import { shortestRunMs, slowdownBound, wsptMeanBusy } from '../../bench/lib/scheduler/slowdown-bound.js';
import { heuristicByName } from '../../models/rl/heuristics.js';
import { runPolicy } from '../../models/sim/run.js';
import { idealDurationMs, type Scenario } from '../../models/sim/scenario.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';

t.test('preemptive WSPT: a heavier job released later preempts', async (t) => {
  // j0: release 0, p 2, w 1 (ratio 0.5); j1: release 1, p 1, w 2 (ratio 2). j0 runs [0,1] and [2,3], j1 [1,2]:
  // M0 = (1 x 0.5 + 1 x 2.5) / 2 = 1.5, M1 = 1.5; sum w M = 1.5 + 3 = 4.5
  const sum = wsptMeanBusy([
    { releaseMs: 0, p: 2, weight: 1 },
    { releaseMs: 1, p: 1, weight: 2 },
  ]);
  t.ok(Math.abs(sum - 4.5) < 1e-12, `sum ${sum}`);
  // idle gap: j0 [0,1], j1 released at 5 runs [5,6]
  const gap = wsptMeanBusy([
    { releaseMs: 0, p: 1, weight: 1 },
    { releaseMs: 5, p: 1, weight: 1 },
  ]);
  t.ok(Math.abs(gap - 6) < 1e-12, `sum ${gap}`);
});

t.test('per task, the shortest run is at least the ideal run', async (t) => {
  const s = generateScenario(loadWorkload('train-v1'), { load: 0.9, seed: 2, taskCount: 200 });
  t.ok(s.tasks.every((task) => shortestRunMs(s, task) >= idealDurationMs(s, task) * (1 - 1e-12)));
});

t.test('the bound never exceeds what policies reach, and the fluid argument bites in overload', async (t) => {
  const cases: Scenario[] = [
    generateScenario(loadWorkload('train-v1'), { load: 0.7, seed: 4, taskCount: 300 }),
    generateScenario(loadWorkload('bursty-v2'), { load: 1.5, seed: 4, taskCount: 300 }),
    generateScenario(loadWorkload('mix-shift-v1'), { load: 1.3, seed: 4, taskCount: 300 }),
    // the fluid argument needs a long overload to exceed the per-task one (this one: 1.17 vs 1.01)
    generateScenario(loadWorkload('train-v1'), { load: 3, seed: 4, taskCount: 2000 }),
  ];
  let bites = 0;
  for (const s of cases) {
    const b = slowdownBound(s);
    t.ok(
      b.trivial >= 1 && b.bound >= b.trivial * (1 - 1e-12),
      `${s.name}: 1 <= trivial ${b.trivial} <= bound ${b.bound}`,
    );
    if (b.bound > b.trivial * 1.01) bites++;
    for (const name of ['fifo', 'sjf', 'tetris', 'hungarian']) {
      for (const sc of [s, exactScenario(s)]) {
        const m = runPolicy(sc, name === 'fifo' ? createPolicy('fifo') : heuristicByName(name)).summary.meanSlowdown;
        if (m < b.bound) t.fail(`${s.name} ${name}: mean slowdown ${m} below the bound ${b.bound}`);
      }
    }
  }
  t.ok(bites > 0, 'the fluid bound is above the per-task bound in some overload case');
});

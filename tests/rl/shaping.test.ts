// The candidate window can keep each capability's oldest task, and potential-based reward shaping moves credit in time
// without changing the total (with no discount the shaped and plain returns are equal).
import t from 'tap';
import { DqnLearner } from '../../models/rl/dqn.js';
import { heuristicByName } from '../../models/rl/heuristics.js';
import { defaultDqnConfig } from '../../models/rl/train-config.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { taskWindow } from '../../runtime/scheduler/features.js';
import { task } from '../scheduler/fixtures.js';

t.test('the window keeps the oldest task of every capability besides the shortest ones', async (t) => {
  const tasks = [
    task('long-y', { capability: 'y', estDurationMs: 90_000 }),
    ...Array.from({ length: 6 }, (_, i) => task(`x${i}`, { estDurationMs: 100 + i, arrivalMs: i + 1 })),
  ];
  const limits = { oldestTasksMax: 0, shortestTasksMax: 3 };
  t.same(taskWindow(tasks, limits), [1, 2, 3], 'without it the long task of y is never considered');
  t.same(taskWindow(tasks, { ...limits, oldestPerCapabilityMax: 1 }), [0, 1, 2, 3, 4], 'y and x oldest, 3 shortest');
});

t.test('with no discount, shaped and plain rewards sum to the same return', async (t) => {
  const scenario = generateScenario(loadWorkload('train-v1'), { seed: 31, load: 1.1, taskCount: 150 });
  const sums: number[] = [];
  for (const shaping of [false, true]) {
    const learner = new DqnLearner({
      ...defaultDqnConfig(4),
      hidden: [8],
      gamma: 1,
      shaping,
      demoStart: 1,
      warmupTransitions: 1e9,
      rl: { withWait: true, limits: { oldestTasksMax: 0, shortestTasksMax: 64 } },
    });
    const demo = heuristicByName('hungarian');
    const sim = new Simulator(scenario);
    let cost = 0;
    while (!sim.done) cost = sim.step(learner.decide(sim.observation(), cost, demo)).slowdownCost;
    learner.endEpisode(cost);
    // one reward per decision: the first transition of each decision carries it
    sums.push(learner.decisionRewardSum);
  }
  t.ok(Math.abs(sums[0]! - sums[1]!) < 1e-6 * Math.abs(sums[0]!), `plain ${sums[0]} == shaped ${sums[1]}`);
});

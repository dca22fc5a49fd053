// The shipped model is a real scheduler: on a fixed small workload it beats random placement by a clear margin
// (a quality check on mean slowdown, not a timing). Uses the ONNX artefact the gateway loads.
import t from 'tap';
import { runPolicy, runPolicyAsync } from '../../models/sim/run.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { cardPathFor, defaultModelPath } from '../../runtime/scheduler/load-policy.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import { RlOnnxPolicy } from '../../runtime/scheduler/policies/rl-policy.js';

t.test('shipped model beats random on a fixed workload', async (t) => {
  const path = defaultModelPath();
  const rl = await RlOnnxPolicy.load(path, cardPathFor(path));
  t.teardown(() => rl.close());
  const workload = loadWorkload('train-v1');
  let rlSum = 0;
  let randomSum = 0;
  for (const seed of [21, 22]) {
    for (const load of [0.7, 1.1]) {
      const scenario = generateScenario(workload, { seed, load, taskCount: 400 });
      const a = await runPolicyAsync(scenario, rl);
      const b = runPolicy(scenario, createPolicy('random', { seed }));
      t.equal(a.summary.completed, scenario.tasks.length, `rl completes every task (seed ${seed}, load ${load})`);
      rlSum += a.summary.meanSlowdown;
      randomSum += b.summary.meanSlowdown;
    }
  }
  t.ok(
    rlSum < 0.8 * randomSum,
    `rl mean slowdown ${(rlSum / 4).toFixed(3)} < 0.8 x random ${(randomSum / 4).toFixed(3)}`,
  );
});

// The headroom bench's per-task accounting (bench/lib/scheduler/excess-decomposition.ts) and its +exact oracle
// rewrite (oracle-variants.ts): the four parts add up exactly to slowdown - 1, the first start is the first placement,
// re-execution appears only for tasks that lost an attempt, and the exact-duration rewrite leaves the simulator's
// physics unchanged.
import t from 'tap';
import {
  decompose,
  PART_NAMES,
  policyDecide,
  runTraced,
  taskParts,
} from '../../bench/lib/scheduler/excess-decomposition.js';
import { exactScenario, parseVariant, variantRun } from '../../bench/lib/scheduler/oracle-variants.js';
import { heuristicByName } from '../../models/rl/heuristics.js';
import { runPolicy } from '../../models/sim/run.js';
import type { Scenario } from '../../models/sim/scenario.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';

/** train-v1 with failures every few seconds on every agent, so attempts are lost. */
function failing(): Scenario {
  const s = generateScenario(loadWorkload('train-v1'), { load: 1.1, seed: 5, taskCount: 400 });
  return { ...s, agents: s.agents.map((a) => ({ ...a, failure: { mtbfMs: 20_000, meanRepairMs: 2_000 } })) };
}

t.test('the parts add up to slowdown - 1 per task; re-execution only after a lost attempt', async (t) => {
  const s = failing();
  const run = runTraced(s, policyDecide(heuristicByName('hungarian')));
  const c = run.result.counters;
  t.ok(c.agentFailures > 0, 'the scenario has failures');
  let lost = 0;
  let reexecOfLost = 0;
  for (let i = 0; i < s.tasks.length; i++) {
    const parts = taskParts(s, run, i);
    const sum = parts.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - (run.result.slowdown[i]! - 1)) > 1e-9) t.fail(`task ${i}: parts ${parts} sum ${sum}`);
    if (parts.some((p) => p < -1e-9)) t.fail(`task ${i}: negative part ${parts}`);
    if (c.attempts[i] === 0) {
      if (parts[1] !== 0) t.fail(`task ${i}: re-execution without a lost attempt`);
      if (run.firstStartMs[i] !== c.startMs[i]) t.fail(`task ${i}: first start differs from the only start`);
    } else {
      lost++;
      reexecOfLost += parts[1];
    }
  }
  t.ok(lost > 0, `${lost} tasks lost an attempt`);
  t.ok(reexecOfLost > 0, 'lost attempts show up as re-execution');
  const sums = decompose(s, run);
  const total = PART_NAMES.reduce((a, p) => a + sums[p], 0);
  const excess = run.result.slowdown.reduce((a, x) => a + x - 1, 0);
  t.ok(Math.abs(total - excess) < 1e-6 * s.tasks.length, 'the sums add up to the total excess');
});

t.test('equal speeds and perfect links leave only waiting and re-execution', async (t) => {
  const base = generateScenario(loadWorkload('train-v1'), { load: 0.9, seed: 3, taskCount: 300 });
  const s: Scenario = { ...base, agents: base.agents.map((a) => ({ ...a, speed: 1, linkQuality: 1 })) };
  const run = runTraced(s, policyDecide(createPolicy('fifo')));
  const sums = decompose(s, run);
  t.ok(Math.abs(sums.speed) < 1e-9 && Math.abs(sums.link) < 1e-9, 'no speed or link part');
  t.ok(sums.wait > 0, 'some waiting at load 0.9');
});

t.test('tracing a run changes nothing: same result as runPolicy', async (t) => {
  const s = failing();
  const a = runPolicy(s, heuristicByName('hungarian'));
  const b = runTraced(s, policyDecide(heuristicByName('hungarian'))).result;
  t.same(Array.from(b.slowdown), Array.from(a.slowdown));
  t.same(b.summary, a.summary);
});

t.test('+exact rewrites only what the policy reads: a policy blind to durations runs identically', async (t) => {
  const s = failing();
  const x = exactScenario(s);
  t.ok(
    x.tasks.every((task) => task.durationFactor === 1),
    'no noise left',
  );
  t.ok(
    s.tasks.some((task, i) => task.estDurationMs !== x.tasks[i]!.estDurationMs),
    'estimates changed',
  );
  const a = runPolicy(s, createPolicy('fifo'));
  const b = runPolicy(x, createPolicy('fifo'));
  t.same(Array.from(b.slowdown), Array.from(a.slowdown), 'same slowdowns, bit for bit');
  t.same(Array.from(b.counters.finishMs), Array.from(a.counters.finishMs));
});

t.test('variant names: modifiers, knobs and errors naming the part', async (t) => {
  const v = parseVariant('hungarian@tasksMax=64+queue+exact');
  t.same([v.base, v.knobs, v.queue, v.exact], ['hungarian', { tasksMax: 64 }, true, true]);
  t.equal(parseVariant('sjf+w256').window, 256);
  t.ok(parseVariant('rl+queue').queue, 'the shipped model as a base');
  const s = generateScenario(loadWorkload('train-v1'), { load: 0.9, seed: 3, taskCount: 50 });
  t.same(variantRun(parseVariant('sjf+queue'), s).options, { tasksWindowMax: 50 });
  t.throws(() => parseVariant('sjf+psychic'), /unknown modifier "\+psychic"/);
  t.throws(() => parseVariant('nosuch'), /unknown policy "nosuch"/);
  t.throws(() => parseVariant('hungarian@tasksMax'), /knob "tasksMax" is not k=v/);
});

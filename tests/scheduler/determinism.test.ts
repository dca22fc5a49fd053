// Same seed, same scenario, same trace of placements and same results; another seed, another world.
import t from 'tap';
import { runPolicy } from '../../models/sim/run.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import { deriveSeed, Rng } from '../../runtime/scheduler/prng.js';
import { recording } from './fixtures.js';

const workload = loadWorkload('train-v1');

t.test('same seed -> identical scenario, placement trace and results, for every baseline', async (t) => {
  const a = generateScenario(workload, { load: 1.1, seed: 42, taskCount: 400 });
  const b = generateScenario(workload, { load: 1.1, seed: 42, taskCount: 400 });
  t.same(a, b);
  t.same(JSON.parse(JSON.stringify(a)), a, 'a scenario is plain JSON data');
  for (const name of ['random', 'fifo', 'tetris', 'hungarian']) {
    const r1 = recording(createPolicy(name));
    const r2 = recording(createPolicy(name));
    const x = runPolicy(a, r1.policy);
    const y = runPolicy(b, r2.policy);
    t.ok(r1.log.length >= 400, `${name} placed every task at least once`);
    t.same(r1.log, r2.log, `${name}: same placement trace`);
    t.same(x.summary, y.summary, `${name}: same summary`);
    t.same([...x.slowdown], [...y.slowdown], `${name}: same per-task slowdowns`);
  }
});

t.test('another seed gives other agents, tasks and results', async (t) => {
  const a = generateScenario(workload, { load: 0.8, seed: 1, taskCount: 300 });
  const b = generateScenario(workload, { load: 0.8, seed: 2, taskCount: 300 });
  t.not(JSON.stringify(a.tasks), JSON.stringify(b.tasks));
  t.not(JSON.stringify(a.agents), JSON.stringify(b.agents));
  t.not(
    runPolicy(a, createPolicy('fifo')).summary.meanSlowdown,
    runPolicy(b, createPolicy('fifo')).summary.meanSlowdown,
  );
});

t.test('the same seed at two loads shares agents and task attributes; only time is rescaled', async (t) => {
  const lo = generateScenario(workload, { load: 0.5, seed: 9, taskCount: 200 });
  const hi = generateScenario(workload, { load: 1.0, seed: 9, taskCount: 200 });
  t.same(lo.agents, hi.agents);
  t.same(
    lo.tasks.map((x) => [x.capability, x.demand, x.estDurationMs, x.durationFactor]),
    hi.tasks.map((x) => [x.capability, x.demand, x.estDurationMs, x.durationFactor]),
  );
  const ratio = lo.tasks[150]!.arrivalMs / hi.tasks[150]!.arrivalMs;
  t.ok(Math.abs(ratio - 2) < 1e-9, `arrival times scale by 2 (got ${ratio})`);
});

t.test('PRNG: reproducible streams, sane moments, distinct derived seeds', async (t) => {
  const a = new Rng(5);
  const b = new Rng(5);
  const xs = Array.from({ length: 20000 }, () => a.next());
  t.same(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => b.next()),
  );
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 0.01, `uniform mean ${mean}`);
  t.ok(
    xs.every((x) => x >= 0 && x < 1),
    'in [0,1)',
  );
  const e = new Rng(6);
  const em = Array.from({ length: 20000 }, () => e.exponential(3)).reduce((s, x) => s + x, 0) / 20000;
  t.ok(Math.abs(em - 3) < 0.1, `exponential mean ${em}`);
  const l = new Rng(7);
  const lm = Array.from({ length: 40000 }, () => l.lognormal(2, 0.5)).reduce((s, x) => s + x, 0) / 40000;
  t.ok(Math.abs(lm - 2) < 0.05, `lognormal mean ${lm}`);
  t.not(deriveSeed(1, 2), deriveSeed(2, 1));
  t.throws(() => new Rng(Number.NaN), /seed must be a finite number/);
});

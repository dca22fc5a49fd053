// Simulator semantics on hand-checked scenarios: timing, slowdown, utilization, failures, batteries, bad placements.
import t from 'tap';
import { runPolicy, runPolicyAsync } from '../../models/sim/run.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { fifoFirstFit } from '../../runtime/scheduler/policies/fifo-first-fit.js';
import type { Policy } from '../../runtime/scheduler/policy.js';
import { recording, scenario, simAgent, simTask } from './fixtures.js';

t.test('one agent, two tasks: exact start, finish, slowdown and utilization', async (t) => {
  const s = scenario([simAgent('A', { speed: 2 })], [simTask('t0', 0), simTask('t1', 100)]);
  const rec = recording(fifoFirstFit());
  const r = runPolicy(s, rec.policy);
  t.same(rec.log, ['0.000:t0>A', '500.000:t1>A']);
  t.same([...r.counters.finishMs], [500, 1000]);
  t.same([...r.slowdown], [1, (1000 - 100) / 500]);
  t.equal(r.summary.meanCompletionMs, (500 + 900) / 2);
  t.equal(r.summary.utilization, 1, 'cpu held 1000 ms of 1000');
  t.equal(r.summary.placements, 2);
  t.equal(r.summary.unfinished, 0);
});

t.test('concurrency while resources fit; the link penalty and noise stretch durations', async (t) => {
  const a = simAgent('A', { capacity: { cpu: 2, memoryMb: 1024, bandwidthKbps: 1000 }, linkQuality: 0.5 });
  const s = scenario(
    [a],
    [
      simTask('t0', 0, { durationFactor: 2 }),
      simTask('t1', 0, { demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 500 } }),
    ],
  );
  const r = runPolicy(s, fifoFirstFit());
  // t0: 1000 x 2 = 2000 ms; t1: 1000 x (1 + 0.5 x 500/1000) = 1250 ms; both start at 0
  t.same([...r.counters.finishMs], [2000, 1250]);
  t.same([...r.slowdown], [1, 1.25]);
});

t.test('deadlines: misses counted only for tasks that have one', async (t) => {
  const s = scenario(
    [simAgent('A')],
    [simTask('t0', 0, { deadlineMs: 1500 }), simTask('t1', 0, { deadlineMs: 1500 }), simTask('t2', 0)],
  );
  const r = runPolicy(s, fifoFirstFit());
  t.equal(r.summary.deadlineMisses, 1, 't1 finishes at 2000');
  t.equal(r.summary.deadlineMissRate, 0.5);
});

t.test(
  'battery: an agent that empties mid-task docks, its task is re-queued and finishes after charging',
  async (t) => {
    // cpu fully used: drain 36/h = 0.01 per 1000 ms from 0.01 -> empty at 1000 ms; charge 36/h to 0.5 takes 50 s;
    // the restarted task (2000 ms) then runs from 51000 to 53000 ms on a fresh 0.5 charge
    const bot = simAgent('bot', {
      kind: 'robot',
      battery: { initialLevel: 0.01, idleDrainPerHour: 0, busyDrainPerHour: 36, chargePerHour: 36, resumeLevel: 0.5 },
    });
    const s = scenario([bot], [simTask('t0', 0, { estDurationMs: 2000 })]);
    const rec = recording(fifoFirstFit());
    const r = runPolicy(s, rec.policy);
    t.equal(r.summary.batteryDepletions, 1);
    t.equal(r.counters.attempts[0], 1);
    t.equal(rec.log.length, 2);
    t.match(rec.log[1], /^51000\.000:t0>bot$/);
    t.ok(Math.abs(r.counters.finishMs[0]! - 53000) < 1e-6, `finish ${r.counters.finishMs[0]}`);
    t.ok(Math.abs(r.summary.lostWorkMs - 1000) < 1e-6);
  },
);

t.test('failures: tasks on a failed agent lose progress, retry, and all finish', async (t) => {
  const flaky = simAgent('flaky', { failure: { mtbfMs: 1500, meanRepairMs: 300 } });
  const tasks = Array.from({ length: 40 }, (_, i) => simTask(`t${i}`, i * 200, { estDurationMs: 800 }));
  const r = runPolicy(scenario([flaky, simAgent('steady')], tasks, 5), fifoFirstFit());
  t.equal(r.summary.unfinished, 0);
  t.ok(r.summary.agentFailures > 0, 'the flaky agent failed');
  t.ok(r.summary.lostWorkMs > 0, 'work was lost');
  t.ok(
    [...r.counters.attempts].some((a) => a > 0),
    'some task was retried',
  );
});

t.test('observation: window, waitingTotal and agents that are online', async (t) => {
  const tasks = Array.from({ length: 10 }, (_, i) => simTask(`t${i}`, 0));
  const sim = new Simulator(scenario([simAgent('A')], tasks), { tasksWindowMax: 4 });
  const o = sim.observation();
  t.equal(o.tasks.length, 4);
  t.equal(o.waitingTotal, 10);
  t.same(
    o.tasks.map((x) => x.id),
    ['t0', 't1', 't2', 't3'],
  );
  t.equal(o.agents.length, 1);
  t.same(o.agents[0]!.used, { cpu: 0, memoryMb: 0, bandwidthKbps: 0 });
  const step = sim.step([{ taskId: 't0', agentId: 'A' }]);
  t.equal(step.placed, 1);
  // after the placement the window was full, so the policy is asked again at the same instant
  t.equal(sim.nowMs, 0);
  t.same(sim.observation().agents[0]!.used.cpu, 1);
});

t.test('slowdownCost summed over a run equals the sum of slowdowns', async (t) => {
  const tasks = Array.from({ length: 30 }, (_, i) => simTask(`t${i}`, i * 150, { estDurationMs: 300 + 37 * i }));
  const s = scenario([simAgent('A', { speed: 1.5 }), simAgent('B', { speed: 0.7 })], tasks);
  const sim = new Simulator(s);
  const p = fifoFirstFit();
  let cost = 0;
  while (!sim.done) cost += sim.step(p.decide(sim.observation()) as never).slowdownCost;
  const r = sim.result();
  const sum = [...r.slowdown].reduce((a, b) => a + b, 0);
  t.ok(Math.abs(cost - sum) < 1e-6 * sum, `cost ${cost} vs sum ${sum}`);
});

t.test('infeasible or repeated placements throw naming task, agent and time', async (t) => {
  const s = scenario(
    [simAgent('A'), simAgent('B', { capabilities: ['y'] })],
    [simTask('t0', 0), simTask('t1', 0, { demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 } })],
  );
  t.throws(() => new Simulator(s).step([{ taskId: 't0', agentId: 'B' }]), /lacking x \[task=t0 agent=B t=0\]/);
  t.throws(
    () =>
      new Simulator(s).step([
        { taskId: 't0', agentId: 'A' },
        { taskId: 't1', agentId: 'A' },
      ]),
    /does not fit the agent's free resources \[task=t1 agent=A/,
  );
  t.throws(
    () =>
      new Simulator(s).step([
        { taskId: 't0', agentId: 'A' },
        { taskId: 't0', agentId: 'A' },
      ]),
    /not waiting in this observation \(or placed twice\)/,
  );
  t.throws(() => new Simulator(s).step([{ taskId: 'zz', agentId: 'A' }]), /task=zz/);
  t.throws(() => new Simulator(s).step([{ taskId: 't0', agentId: 'nobody' }]), /not online/);
});

t.test('a policy that always waits ends the run as stalled, tasks unfinished', async (t) => {
  const idle: Policy = { name: 'idle', decide: () => [] };
  const r = runPolicy(scenario([simAgent('A')], [simTask('t0', 0), simTask('t1', 10)]), idle);
  t.equal(r.summary.unfinished, 2);
  t.equal(r.summary.completed, 0);
});

t.test('scenario validation names the field', async (t) => {
  t.throws(() => new Simulator(scenario([], [])), /scenario.agents must not be empty/);
  t.throws(
    () => new Simulator(scenario([simAgent('A')], [simTask('t0', 5), simTask('t1', 1)])),
    /tasks\[1\].arrivalMs/,
  );
  t.throws(
    () => new Simulator(scenario([simAgent('A')], [simTask('t0', 0, { capability: 'zz' })])),
    /tasks\[0\] \(t0\) fits no agent/,
  );
  t.throws(() => new Simulator(scenario([simAgent('A', { speed: 0 })], [])), /agents\[0\].speed/);
});

t.test('skipping decision points where nothing can change does not change a state-driven policy', async (t) => {
  const s = generateScenario(loadWorkload('train-v1'), { load: 1.2, seed: 8, taskCount: 600 });
  const lazy = runPolicy(s, fifoFirstFit());
  const eager = runPolicy(s, fifoFirstFit(), { decideOnEveryEvent: true });
  t.same([...lazy.slowdown], [...eager.slowdown]);
  t.ok(eager.summary.decisions > lazy.summary.decisions, 'the eager run asked the policy more often');
});

t.test('runPolicyAsync awaits async policies; runPolicy refuses them', async (t) => {
  const s = generateScenario(loadWorkload('train-v1'), { load: 0.8, seed: 2, taskCount: 300 });
  const inner = fifoFirstFit();
  const asyncFifo: Policy = { name: 'async-fifo', decide: async (o) => inner.decide(o) };
  const r = await runPolicyAsync(s, asyncFifo);
  t.same([...r.slowdown], [...runPolicy(s, fifoFirstFit()).slowdown]);
  t.throws(() => runPolicy(s, asyncFifo), /policy "async-fifo" is async: use runPolicyAsync/);
});

// Sampled futures for rollouts that do not see the scenario's future (models/sim/clone.ts cloneWithFuture,
// models/rl/sampled-future.ts): the same tasks give exactly a clone; a sample keeps what has happened, redraws what has
// not, leaves the live simulator alone, is deterministic from its seed and runs to the end; a future that rewrites the
// past is refused naming the task and field; a rollout over sampled futures is deterministic and never changes the
// simulator it decides for.
import t from 'tap';
import { RolloutPolicy, runWithSim } from '../../models/rl/rollout-policy.js';
import { SampledFuture } from '../../models/rl/sampled-future.js';
import { cloneWithFuture, taskState } from '../../models/sim/clone.js';
import type { SimResult } from '../../models/sim/result.js';
import type { Scenario } from '../../models/sim/scenario.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import type { Placement, Policy } from '../../runtime/scheduler/policy.js';

const hungarian = createPolicy('hungarian', { objective: 'slowdown', waitFactor: 1, shortestShare: 1 });
const workload = loadWorkload('mix-shift-v1');
const scenario = generateScenario(workload, { load: 1.1, seed: 9, taskCount: 200 });
const stream = generateScenario(workload, { load: 1.1, seed: 509, taskCount: 400 });
const sigma = workload.noise.durationSigma;

function bytes(r: SimResult): string {
  const arrays = [r.slowdown, r.counters.finishMs, r.counters.agentOf];
  return JSON.stringify({ s: r.summary, raw: arrays.map((a) => Buffer.from(a.buffer).toString('base64')) });
}

function finish(sim: Simulator, policy: Policy = hungarian): SimResult {
  while (!sim.done) sim.step(policy.decide(sim.observation()) as readonly Placement[]);
  return sim.result();
}

/** The live simulator after `steps` decisions of Hungarian (some tasks done, some running, some waiting). */
function midRun(steps: number): Simulator {
  const sim = new Simulator(scenario);
  for (let k = 0; k < steps && !sim.done; k++) sim.step(hungarian.decide(sim.observation()) as readonly Placement[]);
  return sim;
}

t.test('the same tasks give exactly what a clone gives', async (t) => {
  for (const steps of [0, 40, 150]) {
    const sim = midRun(steps);
    t.equal(bytes(finish(cloneWithFuture(sim, sim.scenario.tasks))), bytes(finish(sim.clone())), `after ${steps}`);
  }
});

t.test('a sample keeps the past, redraws the future, and leaves the live simulator alone', async (t) => {
  const sim = midRun(120);
  const states = scenario.tasks.map((_, i) => taskState(sim, i));
  t.ok(states.includes('waiting') && states.includes('running') && states.includes('done'), 'a mixed state');
  t.ok(states.includes('future'), 'tasks still to arrive');
  const sample = new SampledFuture(stream, sigma, 7).sample(sim);
  const now = sim.nowMs;
  let redrawn = 0;
  let moved = 0;
  let last = now;
  sample.scenario.tasks.forEach((s, i) => {
    const o = scenario.tasks[i]!;
    t.equal(s.id, o.id);
    if (states[i] === 'future') {
      t.ok(s.arrivalMs >= last, 'future arrivals in order, not before now');
      last = s.arrivalMs;
      if (s.arrivalMs !== o.arrivalMs) moved++;
      if (s.deadlineMs !== undefined) {
        const from = stream.tasks.find((x) => x.estDurationMs === s.estDurationMs && x.capability === s.capability)!;
        const slack = from.deadlineMs! - from.arrivalMs;
        t.ok(Math.abs(s.deadlineMs - s.arrivalMs - slack) < 1e-6, 'a deadline moves with its arrival');
      }
      return;
    }
    t.same({ ...s, durationFactor: 0 }, { ...o, durationFactor: 0 }, 'an arrived task keeps its fields');
    if (states[i] === 'waiting') redrawn += s.durationFactor !== o.durationFactor ? 1 : 0;
    else t.equal(s.durationFactor, o.durationFactor, 'a running or finished task keeps its duration factor');
  });
  const future = states.filter((s) => s === 'future').length;
  t.equal(redrawn, states.filter((s) => s === 'waiting').length, 'every waiting task drew a new factor');
  t.ok(moved >= future - 1, `the arrivals are not the scenario's (${moved} of ${future} differ)`);
  t.equal(scenario.tasks, sim.scenario.tasks, 'the live simulator keeps its scenario');
  const done = finish(sample);
  t.equal(done.summary.completed, scenario.tasks.length, 'the sample runs every task to the end');
  t.equal(bytes(finish(sim)), bytes(finish(midRun(120))), 'the live simulator is unchanged');
});

t.test('samples are deterministic from the seed and differ between draws', async (t) => {
  const sim = midRun(60);
  const a = new SampledFuture(stream, sigma, 3);
  const b = new SampledFuture(stream, sigma, 3);
  const a1 = a.sample(sim).scenario.tasks;
  t.same(a1, b.sample(sim).scenario.tasks, 'same seed, same first sample');
  t.notSame(a1, a.sample(sim).scenario.tasks, 'the next sample is another draw');
});

t.test('a future that rewrites the past is refused, naming the task and the field', async (t) => {
  const sim = midRun(120);
  const tasks = scenario.tasks;
  const i = tasks.findIndex((_, k) => taskState(sim, k) === 'running');
  const w = tasks.findIndex((_, k) => taskState(sim, k) === 'waiting');
  const f = tasks.findIndex((_, k) => taskState(sim, k) === 'future');
  const edit = (k: number, patch: object): Scenario['tasks'] => tasks.map((x, j) => (j === k ? { ...x, ...patch } : x));
  t.throws(() => cloneWithFuture(sim, tasks.slice(1)), /tasks\.length must be 200/);
  t.throws(() => cloneWithFuture(sim, edit(f, { id: 'other' })), new RegExp(`tasks\\[${f}\\] .*\\.id must stay`));
  t.throws(() => cloneWithFuture(sim, edit(w, { capability: 'move.to' })), /\.capability must stay as it was/);
  t.throws(() => cloneWithFuture(sim, edit(i, { durationFactor: 2 })), /\.durationFactor must stay as it was/);
  t.throws(() => cloneWithFuture(sim, edit(f, { arrivalMs: 0 })), /\.arrivalMs must be >= now/);
  t.doesNotThrow(() => cloneWithFuture(sim, edit(w, { durationFactor: 2 })), 'a waiting task may change its factor');
});

t.test('a rollout over sampled futures is deterministic and never changes the simulator it decides for', async (t) => {
  const small = generateScenario(workload, { load: 1.1, seed: 11, taskCount: 80 });
  const make = (): RolloutPolicy =>
    new RolloutPolicy(
      hungarian,
      { candidatesMax: 4, horizonDecisions: 10 },
      { sampler: new SampledFuture(stream, sigma, 5), samples: 2 },
    );
  const decisions: (readonly Placement[])[] = [];
  const recorder = make();
  const recorded = runWithSim(small, {
    name: 'recorder',
    decideWithSim(sim) {
      const d = recorder.decideWithSim(sim);
      decisions.push(d);
      return d;
    },
  });
  t.equal(bytes(runWithSim(small, make())), bytes(recorded), 'same seed, same run');
  const replay = new Simulator(small);
  let k = 0;
  while (!replay.done) replay.step(decisions[k++]!);
  t.equal(bytes(replay.result()), bytes(recorded), 'replaying the decisions on a fresh simulator gives the same run');
  t.ok(recorder.stats.rolledOut > 0, 'rollouts were made');
  t.match(recorder.name, /2 sampled futures/);
  t.throws(() => new RolloutPolicy(hungarian, {}, { sampler: new SampledFuture(stream, sigma, 1), samples: 0 }), {
    message: /future\.samples must be an integer in 1\.\.64/,
  });
});

// Simulator.clone (models/sim/clone.ts): a clone has the original's whole future (same steps, same observations,
// byte-identical result under the same policy), and nothing done to a clone reaches the original. Cloned at random
// decision points on three workloads, two loads, a small window, decide-on-every-event, and a stressed variant with
// frequent agent failures and fast-draining batteries (so evictions, re-queues and dockings happen inside the runs).
import t from 'tap';
import type { SimResult } from '../../models/sim/result.js';
import type { Scenario } from '../../models/sim/scenario.js';
import { type SimOptions, Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { FreeTable } from '../../runtime/scheduler/feasibility.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import type { Observation, Placement, Policy } from '../../runtime/scheduler/policy.js';
import { deriveSeed, Rng } from '../../runtime/scheduler/prng.js';

const TASKS = 300;

/** Random feasible placements (some tasks left waiting), a pure function of the observation: same obs, same answer. */
const jitter: Policy = {
  name: 'jitter',
  decide(o: Observation): Placement[] {
    const rng = new Rng(deriveSeed(Math.floor(o.nowMs * 1000), o.tasks.length, o.agents.length));
    const free = new FreeTable(o);
    for (const task of o.tasks) {
      if (rng.next() < 0.25) continue;
      const start = rng.int(o.agents.length);
      for (let k = 0; k < o.agents.length; k++) {
        const j = (start + k) % o.agents.length;
        if (free.canPlace(task, j)) {
          free.place(task, j);
          break;
        }
      }
    }
    return free.placements;
  },
};

/** Failures about once per arrival span per agent and batteries draining 10x faster (bound the run: stressedOptions). */
function stressed(sc: Scenario): Scenario {
  const span = sc.tasks.at(-1)!.arrivalMs;
  return {
    ...sc,
    name: `${sc.name}-stressed`,
    agents: sc.agents.map((a) => ({
      ...a,
      failure: { mtbfMs: span, meanRepairMs: span / 20 },
      ...(a.battery && {
        battery: { ...a.battery, idleDrainPerHour: a.battery.idleDrainPerHour * 10, busyDrainPerHour: 10 },
      }),
    })),
  };
}

/** Long tasks may keep failing under stress: stop at 4 arrival spans + 2 min (also covers the time-limit path). */
function stressedOptions(sc: Scenario): SimOptions {
  return { simTimeMaxMs: 4 * sc.tasks.at(-1)!.arrivalMs + 120_000 };
}

interface Trace {
  steps: string[];
  result: SimResult;
}

function stepOnce(sim: Simulator, policy: Policy): string {
  const o = sim.observation();
  const ps = policy.decide(o) as Placement[];
  return `${JSON.stringify(o)}#${JSON.stringify(ps)}#${JSON.stringify(sim.step(ps))}`;
}

/** Runs to the end without recording (cheap). */
function finish(sim: Simulator, policy: Policy): SimResult {
  while (!sim.done) sim.step(policy.decide(sim.observation()) as Placement[]);
  return sim.result();
}

function runOut(sim: Simulator, policy: Policy): Trace {
  const steps: string[] = [];
  while (!sim.done) steps.push(stepOnce(sim, policy));
  return { steps, result: sim.result() };
}

/** Every number of the result, bit for bit (NaN included). */
function bytes(r: SimResult): string {
  const c = r.counters;
  const arrays = [
    r.slowdown,
    r.completionMs,
    r.deadlineMissed,
    r.hasDeadline,
    c.startMs,
    c.finishMs,
    c.agentOf,
    c.attempts,
  ];
  const raw = arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'));
  return JSON.stringify({ summary: r.summary, busy: c.busy, raw });
}

interface Case {
  label: string;
  scenario: Scenario;
  policy: Policy;
  options: SimOptions;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const w of ['train-v1', 'bursty-v2', 'mix-shift-v1']) {
    const workload = loadWorkload(w);
    for (const load of [0.7, 1.3]) {
      const sc = generateScenario(workload, { load, seed: 3, taskCount: TASKS });
      out.push({ label: `${w}@${load} hungarian`, scenario: sc, policy: createPolicy('hungarian'), options: {} });
    }
    const sc = stressed(generateScenario(workload, { load: 1.1, seed: 2, taskCount: TASKS }));
    const bound = stressedOptions(sc);
    out.push({ label: `${w} stressed jitter`, scenario: sc, policy: jitter, options: bound });
    out.push({
      label: `${w} stressed window 4`,
      scenario: sc,
      policy: jitter,
      options: { ...bound, tasksWindowMax: 4 },
    });
  }
  const sc = generateScenario(loadWorkload('train-v1'), { load: 1.0, seed: 5, taskCount: 200 });
  out.push({ label: 'every event', scenario: sc, policy: jitter, options: { decideOnEveryEvent: true } });
  return out;
}

const ALL = cases();

t.test('the stressed runs do exercise failures, evictions and dockings', async (t) => {
  let failures = 0;
  let depletions = 0;
  let requeued = 0;
  for (const c of ALL.filter((x) => x.label.includes('stressed'))) {
    const r = runOut(new Simulator(c.scenario, c.options), c.policy).result;
    failures += r.summary.agentFailures;
    depletions += r.summary.batteryDepletions;
    requeued += r.counters.attempts.reduce((s, x) => s + x, 0);
  }
  t.ok(failures > 100, `agent failures: ${failures}`);
  t.ok(depletions > 5, `battery depletions: ${depletions}`);
  t.ok(requeued > 50, `tasks re-queued by a failure or an empty battery: ${requeued}`);
});

for (const c of ALL) {
  t.test(`${c.label}: clones at random points replay the original's future byte for byte`, async (t) => {
    const ref = runOut(new Simulator(c.scenario, c.options), c.policy);
    const rng = new Rng(deriveSeed(c.scenario.seed, ref.steps.length));
    const points = new Set(Array.from({ length: 5 }, () => rng.int(ref.steps.length)));
    points.add(0);
    const sim = new Simulator(c.scenario, c.options);
    let checked = 0;
    for (let i = 0; !sim.done; i++) {
      if (points.has(i)) {
        if (rng.next() < 0.5) sim.observation(); // with and without the observation cached at clone time
        const clone = sim.clone();
        t.equal(clone.nowMs, sim.nowMs);
        const tail = runOut(clone, c.policy);
        if (tail.steps.length !== ref.steps.length - i || tail.steps.some((s, k) => s !== ref.steps[i + k])) {
          t.fail(`clone at decision ${i}: its steps differ from the original's`);
        }
        t.equal(bytes(tail.result), bytes(ref.result), `clone at decision ${i}: byte-identical result`);
        checked++;
      }
      if (stepOnce(sim, c.policy) !== ref.steps[i]) {
        t.fail(`original step ${i} changed by the clone`);
        return;
      }
    }
    t.equal(bytes(sim.result()), bytes(ref.result), 'the original, cloned and its clones run, ends the same');
    t.ok(checked >= 2, `${checked} clone points`);
  });
}

t.test(
  'mutating clones (other policies, clones of clones, interleaved steps) never changes the original',
  async (t) => {
    const other = [createPolicy('fifo'), createPolicy('sjf'), { name: 'wait', decide: () => [] }];
    for (const c of ALL.filter((x) => !x.label.startsWith('every'))) {
      const ref = runOut(new Simulator(c.scenario, c.options), c.policy);
      const sim = new Simulator(c.scenario, c.options);
      const rng = new Rng(deriveSeed(7, ref.steps.length));
      const live: Simulator[] = [];
      let diverged = 0;
      for (let i = 0; !sim.done; i++) {
        if (rng.next() < 0.02) live.push(sim.clone());
        // every 4th decision, advance every live clone a few steps with another policy, sometimes cloning a clone
        for (const [k, cl] of i % 4 === 0 ? live.entries() : []) {
          for (let s = 0; s < 3 && !cl.done; s++)
            cl.step(other[k % other.length]!.decide(cl.observation()) as Placement[]);
          if (rng.next() < 0.05) live.push(cl.clone());
        }
        if (live.length > 6) {
          const cl = live.shift()!;
          const end = finish(cl, other[i % other.length]!);
          if (bytes(end) !== bytes(ref.result)) diverged++;
        }
        if (stepOnce(sim, c.policy) !== ref.steps[i]) {
          t.fail(`${c.label}: original step ${i} changed by its clones`);
          return;
        }
      }
      t.equal(bytes(sim.result()), bytes(ref.result), `${c.label}: original unchanged`);
      t.ok(diverged > 0 || live.length > 0, `${c.label}: clones were driven elsewhere (${diverged} ended differently)`);
    }
  },
);

t.test('a finished simulator clones as finished; a field without a clone rule is refused by name', async (t) => {
  const sc = generateScenario(loadWorkload('train-v1'), { load: 0.5, seed: 4, taskCount: 50 });
  const sim = new Simulator(sc);
  runOut(sim, createPolicy('fifo'));
  const done = sim.clone();
  t.ok(done.done);
  t.equal(bytes(done.result()), bytes(sim.result()));
  t.throws(() => done.step([]), /no decision pending/);
  const fresh = new Simulator(sc);
  (fresh as unknown as Record<string, unknown>).addedLater = new Map();
  t.throws(() => fresh.clone(), /field "addedLater" has no clone rule/);
});

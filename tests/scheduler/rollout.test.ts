// Rollout policy (models/rl/rollout-policy.ts): it never changes the simulator it decides for, it is deterministic,
// every candidate it tries is feasible, its score is the simulator's own slowdown accounting, one candidate is the
// base policy exactly, and on a fixed loaded scenario it beats its base.
import t from 'tap';
import { rolloutCandidates } from '../../models/rl/rollout-candidates.js';
import {
  accruedSlowdown,
  bindSimulator,
  RolloutPolicy,
  runRollout,
  runWithSim,
  type SimPolicy,
} from '../../models/rl/rollout-policy.js';
import type { SimResult } from '../../models/sim/result.js';
import { runPolicy } from '../../models/sim/run.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import type { Placement } from '../../runtime/scheduler/policy.js';

const hungarian = createPolicy('hungarian', { objective: 'slowdown', waitFactor: 1.5, shortestShare: 1 });
const small = generateScenario(loadWorkload('train-v1'), { load: 1.1, seed: 9, taskCount: 150 });
const bursty = generateScenario(loadWorkload('bursty-v2'), { load: 1.1, seed: 2, taskCount: 150 });

function bytes(r: SimResult): string {
  const arrays = [r.slowdown, r.counters.finishMs, r.counters.agentOf];
  return JSON.stringify({ s: r.summary, raw: arrays.map((a) => Buffer.from(a.buffer).toString('base64')) });
}

t.test('one candidate is the base policy, byte for byte', async (t) => {
  const { result, stats } = runRollout(small, hungarian, { candidatesMax: 1 });
  t.equal(bytes(result), bytes(runPolicy(small, hungarian)));
  t.equal(stats.clones, 0);
});

t.test(
  'the live simulator is never changed: replaying its decisions on a fresh simulator gives the same run',
  async (t) => {
    for (const sc of [small, bursty]) {
      const policy = new RolloutPolicy(hungarian, { candidatesMax: 5, horizonDecisions: 10, terminal: 'remaining' });
      const log: Placement[][] = [];
      const recorder: SimPolicy = {
        name: 'rec',
        decideWithSim: (sim) => {
          const d = [...policy.decideWithSim(sim)];
          log.push(d);
          return d;
        },
      };
      const a = runWithSim(sc, recorder);
      const replay = new Simulator(sc);
      for (const d of log) replay.step(d);
      t.ok(replay.done, `${sc.name}: replay ends with the same number of decisions`);
      t.equal(bytes(replay.result()), bytes(a), `${sc.name}: same result`);
      t.ok(policy.stats.clones > 50, `${sc.name}: ${policy.stats.clones} rollouts were simulated`);
      const again = runRollout(sc, hungarian, { candidatesMax: 5, horizonDecisions: 10, terminal: 'remaining' });
      t.equal(bytes(again.result), bytes(a), `${sc.name}: deterministic`);
    }
  },
);

t.test('candidates: base first, distinct, each feasible in the simulator', async (t) => {
  const sim = new Simulator(bursty);
  let tried = 0;
  let kinds = new Set<string>();
  for (let i = 0; !sim.done; i++) {
    const obs = sim.observation();
    const base = hungarian.decide(obs) as Placement[];
    const cands = rolloutCandidates(obs, base, 12);
    t.same(cands[0]!.placements, base);
    const keys = cands.map((c) => JSON.stringify(c.placements.map((p) => `${p.taskId}>${p.agentId}`).sort()));
    if (new Set(keys).size !== keys.length) t.fail(`decision ${i}: duplicate candidates`);
    if (i % 5 === 0) {
      for (const c of cands) sim.clone().step(c.placements); // throws on an infeasible placement
      tried += cands.length;
    }
    kinds = new Set([...kinds, ...cands.map((c) => c.kind)]);
    sim.step(base);
  }
  t.ok(tried > 100, `${tried} candidates stepped`);
  // 'none' equals 'wait' when the base placed one task (deduplicated), so it is not required here
  for (const k of ['base', 'extra', 'move', 'wait']) t.ok(kinds.has(k), `edits of kind ${k} occur`);
});

t.test(
  'the score is the simulator accounting: accrued slowdown at the end = sum of step costs = sum of slowdowns',
  async (t) => {
    const sim = new Simulator(small);
    let cost = 0;
    while (!sim.done) cost += sim.step(hungarian.decide(sim.observation()) as Placement[]).slowdownCost;
    const r = sim.result();
    const total = r.slowdown.reduce((s, x) => s + x, 0);
    const accrued = accruedSlowdown(sim, 0, sim.nowMs + 1);
    t.ok(Math.abs(accrued - total) < 1e-6 * total, `accrued ${accrued} vs sum of slowdowns ${total}`);
    t.ok(Math.abs(cost - total) < 1e-6 * total, `step costs ${cost} vs sum of slowdowns ${total}`);
    t.equal(accruedSlowdown(sim, 0, sim.nowMs + 1, true), accrued, 'nothing remains at the end');
  },
);

t.test('on a fixed loaded scenario rollout(hungarian) has a lower mean slowdown than hungarian', async (t) => {
  const sc = generateScenario(loadWorkload('train-v1'), { load: 1.3, seed: 11, taskCount: 300 });
  const h = runPolicy(sc, hungarian).summary.meanSlowdown;
  const { result, stats } = runRollout(sc, hungarian, {
    candidatesMax: 6,
    horizonDecisions: 30,
    terminal: 'remaining',
  });
  t.ok(result.summary.meanSlowdown < h, `rollout ${result.summary.meanSlowdown} vs hungarian ${h}`);
  t.ok(stats.chosen.move + stats.chosen.wait + stats.chosen.extra + stats.chosen.none > 0, 'some edits won');
});

t.test('bad knobs and async base policies are refused by name', async (t) => {
  t.throws(() => new RolloutPolicy(hungarian, { candidatesMax: 0 }), /candidatesMax/);
  t.throws(() => new RolloutPolicy(hungarian, { horizonDecisions: 1.5 }), /horizonDecisions/);
  t.throws(() => new RolloutPolicy(hungarian, { horizonMs: -1 }), /horizonMs/);
  t.throws(() => new RolloutPolicy(hungarian, { terminal: 'x' as never }), /terminal/);
  const asyncBase = { name: 'async', decide: async () => [] };
  t.throws(() => runRollout(small, asyncBase), /async/);
});

t.test(
  'bound to a live simulator, the rollout is a Policy for decide(obs) callers (a trainer demonstrator)',
  async (t) => {
    const sim = new Simulator(small);
    const demo = bindSimulator(new RolloutPolicy(hungarian, { candidatesMax: 4, horizonDecisions: 8 }), sim);
    const direct = runRollout(small, hungarian, { candidatesMax: 4, horizonDecisions: 8 }).result;
    const first = sim.observation();
    while (!sim.done) sim.step(demo.decide(sim.observation()) as Placement[]);
    t.equal(bytes(sim.result()), bytes(direct), 'same run as runRollout');
    t.throws(() => demo.decide(first), /bound simulator's current observation/);
  },
);

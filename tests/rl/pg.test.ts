// Policy gradient (pg-episode.ts, pg-gradient.ts): the closed-form d log pi / d score matches finite differences of
// the draws' log-probability, draws respect resources and the wait row, episodes replay bit for bit, the baseline
// cancels between identical episodes, and a gradient step on a fixed decision makes the drawn rows more likely.
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import {
  costToGo,
  costToGoAt,
  type EpisodeRecord,
  runSampledEpisode,
  sampleDecision,
} from '../../models/rl/pg-episode.js';
import { advantages } from '../../models/rl/pg-gradient.js';
import { Rng } from '../../models/rl/rng.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { CandidateExtractor } from '../../runtime/scheduler/candidate-extractor.js';
import { FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import { DEFAULT_RL_OPTIONS } from '../../runtime/scheduler/policies/rl-policy.js';

const scenario = () => generateScenario(loadWorkload('train-v1'), { seed: 3, load: 1.3, taskCount: 150 });

/** Decision points with several tasks and a wait row, from a FIFO-less run (nothing placed). */
function decisions(n: number) {
  const sim = new Simulator(scenario());
  const out = [];
  const ex = new CandidateExtractor();
  for (let step = 0; !sim.done && out.length < n && step < 400; step++) {
    const obs = sim.observation();
    const c = ex.extract(obs, true, DEFAULT_RL_OPTIONS.limits);
    const tasks = new Set(Array.from(c.taskIndex).filter((x) => x >= 0)).size;
    if (tasks >= 3)
      out.push({
        obs,
        cands: { ...c, features: c.features.slice(), taskIndex: c.taskIndex.slice(), agentIndex: c.agentIndex.slice() },
      });
    // place the first task on its first row now and then, so agents get busy and the wait row appears
    const first = c.rows > 0 && c.waitRow !== 0 ? 0 : 1;
    sim.step(
      step % 3 === 0 && c.rows > first
        ? [{ taskId: obs.tasks[c.taskIndex[first]!]!.id, agentId: obs.agents[c.agentIndex[first]!]!.id }]
        : [],
    );
  }
  return out;
}

t.test('d log pi / d score matches finite differences', async (t) => {
  const ds = decisions(6);
  t.ok(ds.length >= 3, 'decision points with several tasks');
  const rng = new Rng(7);
  let checked = 0;
  for (const { obs, cands } of ds) {
    const scores = Float64Array.from({ length: cands.rows }, () => rng.normal() * 0.01);
    const T = 0.005;
    const d = sampleDecision(obs, cands, scores, T, rng);
    const h = 1e-6;
    for (let r = 0; r < cands.rows; r++) {
      const up = scores.slice();
      const down = scores.slice();
      up[r]! += h;
      down[r]! -= h;
      const fd =
        (sampleDecision(obs, cands, up, T, rng, d.rows).logProb -
          sampleDecision(obs, cands, down, T, rng, d.rows).logProb) /
        (2 * h);
      if (Math.abs(fd - d.dScore[r]!) > 1e-3 * Math.max(1, Math.abs(fd))) t.fail(`row ${r}: ${d.dScore[r]} vs ${fd}`);
      checked++;
    }
  }
  t.ok(checked > 20, `checked ${checked} rows`);
});

t.test('draws place each task once, within resources, and stop at the wait row', async (t) => {
  const rng = new Rng(11);
  let sawWait = false;
  for (const { obs, cands } of decisions(6)) {
    for (let k = 0; k < 20; k++) {
      const scores = Float64Array.from({ length: cands.rows }, () => rng.normal());
      const d = sampleDecision(obs, cands, scores, 1, rng);
      const ids = d.placements.map((p) => p.taskId);
      t.equal(new Set(ids).size, ids.length);
      for (const a of obs.agents) {
        const mine = d.placements
          .filter((p) => p.agentId === a.id)
          .map((p) => obs.tasks.find((x) => x.id === p.taskId)!);
        const mem = mine.reduce((s, x) => s + x.demand.memoryMb, a.used.memoryMb);
        const cpu = mine.reduce((s, x) => s + x.demand.cpu, a.used.cpu);
        if (mem > a.capacity.memoryMb + 1e-9 || cpu > a.capacity.cpu + 1e-9) t.fail(`agent ${a.id} overcommitted`);
      }
      const waitAt = d.rows.indexOf(cands.waitRow);
      if (waitAt >= 0) {
        sawWait = true;
        t.equal(waitAt, d.rows.length - 1, 'the wait row ends the draws');
      }
      t.equal(d.placements.length, d.rows.length - (waitAt >= 0 ? 1 : 0));
    }
  }
  t.ok(sawWait, 'the wait row was drawn at least once');
  t.throws(() => sampleDecision(decisions(1)[0]!.obs, decisions(1)[0]!.cands, [0], 1, rng, [-1]), /forced row/);
});

t.test('an episode replays bit for bit; another seed at a high temperature draws otherwise', async (t) => {
  const net = new Mlp([FEATURE_COUNT, 8, 1], new Rng(2));
  const sc = scenario();
  const a = runSampledEpisode(net, DEFAULT_RL_OPTIONS, sc, {}, 5, 0.01);
  let calls = 0;
  const b = runSampledEpisode(net, DEFAULT_RL_OPTIONS, sc, {}, 5, 0.01, () => calls++);
  t.same(Array.from(b.times), Array.from(a.times));
  t.same(Array.from(b.costs), Array.from(a.costs));
  t.ok(calls > 0 && calls <= a.times.length);
  const other = runSampledEpisode(net, DEFAULT_RL_OPTIONS, sc, {}, 6, 10);
  t.not(other.meanSlowdown, a.meanSlowdown, 'another seed at a high temperature draws otherwise');
  t.throws(() => runSampledEpisode(net, DEFAULT_RL_OPTIONS, sc, {}, 5, 0), /temperature/);
});

t.test('cost-to-go and its time-based baseline', async (t) => {
  const rec: EpisodeRecord = {
    times: Float64Array.from([0, 1000, 3000]),
    costs: Float64Array.from([1, 2, 4]),
    meanSlowdown: 0,
  };
  const d = costToGo(rec, 1000);
  t.ok(Math.abs(d[2]! - 4) < 1e-12);
  t.ok(Math.abs(d[1]! - (2 + Math.exp(-2) * 4)) < 1e-12);
  t.ok(Math.abs(d[0]! - (1 + Math.exp(-1) * d[1]!)) < 1e-12);
  t.ok(Math.abs(costToGoAt(rec, d, 2000, 1000) - d[2]! * Math.exp(-1)) < 1e-12);
  t.equal(costToGoAt(rec, d, 5000, 1000), 0);
  // identical siblings: every advantage is zero; a costlier sibling gets positive ones
  const same = advantages([rec, rec, rec], 1000);
  t.ok(same.every((a) => a.every((x) => x === 0)));
  const worse = { ...rec, costs: Float64Array.from([2, 3, 5]) };
  const adv = advantages([rec, worse], 1000);
  t.ok(adv[1]!.every((x) => x > 0) && adv[0]!.every((x) => x < 0));
  t.throws(() => advantages([rec], 1000), /at least 2/);
});

t.test('a step along -advantage x d log pi makes a cheap decision more likely', async (t) => {
  const net = new Mlp([FEATURE_COUNT, 8, 1], new Rng(4));
  const { obs, cands } = decisions(3)[2]!;
  const T = 0.05;
  const d = sampleDecision(obs, cands, net.forward(cands.features, cands.rows), T, new Rng(1));
  const before = d.logProb;
  // advantage -1 (cheaper than its siblings): the loss advantage x log pi falls when log pi rises
  const dOut = d.dScore.map((x) => -x);
  const grads = net.backward(dOut);
  const lr = 1e-3;
  net.layers.forEach((l, i) => {
    for (let k = 0; k < l.w.length; k++) l.w[k]! -= lr * grads[i]!.w[k]!;
    for (let k = 0; k < l.b.length; k++) l.b[k]! -= lr * grads[i]!.b[k]!;
  });
  const after = sampleDecision(obs, cands, net.forward(cands.features, cands.rows), T, new Rng(1), d.rows).logProb;
  t.ok(after > before, `log pi ${before.toFixed(4)} -> ${after.toFixed(4)}`);
});

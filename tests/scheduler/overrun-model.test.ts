// The overrun model (runtime/scheduler/overrun-model.ts) and the simulator's fitted free times (freeTime 'fitted'):
// before enough ratios it says exactly what the estimate says; the fit recovers a lognormal; the conditional mean
// matches Monte Carlo and its tail series; the ring forgets old ratios; bad input is refused or ignored; and in the
// simulator, fitted free times change nothing when durations are exact and are deterministic and clonable.
import t from 'tap';
import type { MlpJson } from '../../models/rl/mlp.js';
import { siteTuneConfig } from '../../models/rl/site-tune.js';
import type { SimResult } from '../../models/sim/result.js';
import { optionsFor, runPolicy } from '../../models/sim/run.js';
import { Simulator } from '../../models/sim/simulator.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { DEFAULT_LIMITS, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import { conditionalLognormalMean, OverrunModel, upperTail } from '../../runtime/scheduler/overrun-model.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import type { Placement, Policy } from '../../runtime/scheduler/policy.js';
import { Rng } from '../../runtime/scheduler/prng.js';
import { scenario, simAgent, simTask } from './fixtures.js';

t.test('without a fit the prediction is the estimate, bit for bit', async (t) => {
  const m = new OverrunModel({ samplesMin: 4 });
  for (const r of [2, 3, 0.5]) m.observe(r);
  t.equal(m.fit(), null, '3 ratios < samplesMin 4');
  t.equal(m.expectedEndMs(1000, 500, 1200), 1500, 'not yet past its estimate: start + estimate');
  t.equal(m.expectedEndMs(1000, 500, 1800), 1800, 'past its estimate: now');
  t.equal(m.expectedEndMs(1000, 0, 900), 1000, 'a zero estimate ends at its start');
});

t.test('the fit recovers a lognormal and the prediction conditions on the elapsed time', async (t) => {
  const m = new OverrunModel({ samplesMax: 4000 });
  const rng = new Rng(7);
  for (let i = 0; i < 4000; i++) m.observe(rng.lognormal(1, 0.5));
  const f = m.fit()!;
  t.ok(Math.abs(f.sigma - 0.5) < 0.02, `sigma ${f.sigma.toFixed(4)} ~ 0.5`);
  t.ok(Math.abs(f.mu + 0.125) < 0.02, `mu ${f.mu.toFixed(4)} ~ -0.125 (mean 1)`);
  t.ok(Math.abs(m.expectedFactor(0) - 1) < 0.03, 'not started: the mean ratio, about 1');
  let last = 0;
  for (const c of [0.2, 0.6, 1, 1.5, 3, 10, 100]) {
    const e = m.expectedFactor(c);
    t.ok(e > c && e > last, `E[F | F > ${c}] = ${e.toFixed(3)} exceeds ${c} and grows`);
    last = e;
  }
  // a run at 1.0 of its estimate is expected to need about half an estimate more, not to "end now"
  const end = m.expectedEndMs(0, 1000, 1000);
  t.ok(end > 1400 && end < 1600, `end ${end.toFixed(0)} ms given 1000 ms run of a 1000 ms estimate`);
});

t.test('the conditional mean agrees with Monte Carlo and with its tail series', async (t) => {
  const rng = new Rng(11);
  const mu = -0.1;
  const sigma = 0.6;
  const xs = Array.from({ length: 400_000 }, () => Math.exp(mu + sigma * rng.normal()));
  for (const c of [0.3, 1, 2, 4]) {
    const tail = xs.filter((x) => x > c);
    const mc = tail.reduce((a, b) => a + b, 0) / tail.length;
    const exact = conditionalLognormalMean(c, mu, sigma);
    t.ok(Math.abs(exact / mc - 1) < 0.01, `c ${c}: ${exact.toFixed(4)} vs Monte Carlo ${mc.toFixed(4)}`);
  }
  // the two branches meet at z = 8
  const c8 = Math.exp(mu + 8 * sigma);
  const below = conditionalLognormalMean(c8 * (1 - 1e-9), mu, sigma);
  const above = conditionalLognormalMean(c8 * (1 + 1e-9), mu, sigma);
  t.ok(Math.abs(above / below - 1) < 1e-3, `continuous at z = 8: ${below} / ${above}`);
  t.ok(conditionalLognormalMean(1e12, 0, 0.5) >= 1e12, 'deep tail: finite and never below c');
  t.ok(Math.abs(upperTail(0) - 0.5) < 1e-7 && Math.abs(upperTail(1.959964) - 0.025) < 1e-7, 'Q(0), Q(1.96)');
  t.ok(Math.abs(upperTail(-1.959964) - 0.975) < 1e-7, 'Q of a negative z');
});

t.test('the ring keeps the most recent ratios only', async (t) => {
  const m = new OverrunModel({ samplesMax: 64, samplesMin: 8 });
  for (let i = 0; i < 64; i++) m.observe(i % 2 ? 4 : 0.25);
  t.ok(m.fit()!.sigma > 1, 'wide at first');
  for (let i = 0; i < 64; i++) m.observe(1);
  const f = m.fit()!;
  t.ok(Math.abs(f.mu) < 1e-9 && f.sigma < 1e-6, `only ratios of 1 left: mu ${f.mu}, sigma ${f.sigma}`);
  t.equal(f.samples, 64);
  t.equal(m.expectedFactor(0.5), 1, 'exact durations: ends at its estimate');
  t.equal(m.expectedFactor(2), 2, 'exact durations: past it, ends now');
});

t.test('bad input: options are refused naming the field, bad ratios are ignored or clamped', async (t) => {
  t.throws(() => new OverrunModel({ samplesMax: 1 }), /samplesMax/);
  t.throws(() => new OverrunModel({ samplesMin: 1 }), /samplesMin/);
  t.throws(() => new OverrunModel({ samplesMax: 10, samplesMin: 11 }), /samplesMin/);
  const m = new OverrunModel({ samplesMin: 2 });
  for (const r of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY]) m.observe(r);
  t.equal(m.version, 0, 'non-finite and non-positive ratios are ignored');
  m.observe(1e9);
  m.observe(1e-9);
  const f = m.fit()!;
  t.ok(Math.abs(f.mu) < 1e-9 && Math.abs(f.sigma - Math.log(1e3) * Math.SQRT2) < 1e-9, 'clamped to [1e-3, 1e3]');
});

t.test('a clone is independent', async (t) => {
  const m = new OverrunModel({ samplesMin: 2 });
  m.observe(2);
  m.observe(3);
  const c = m.clone();
  c.observe(100);
  t.not(c.fit()!.mu, m.fit()!.mu);
  t.equal(m.fit()!.samples, 2);
  t.equal(c.fit()!.samples, 3);
});

t.test('simulator: fitted free times', async (t) => {
  t.throws(
    () =>
      new Simulator(generateScenario(loadWorkload('train-v1'), { seed: 1, load: 0.5, taskCount: 20 }), {
        freeTime: 'x' as never,
      }),
    /freeTime/,
  );

  // exact durations and perfect links: every ratio is 1, so the fit predicts what the estimate does, run for run
  const exact = scenario(
    [simAgent('a', { speed: 2 }), simAgent('b')],
    Array.from({ length: 80 }, (_, i) => simTask(`t${i}`, i * 300, { estDurationMs: 400 + (i % 7) * 150 })),
  );
  const run = (freeTime: 'estimate' | 'fitted') => {
    const sim = new Simulator(exact, { freeTime });
    const p = createPolicy('hungarian');
    while (!sim.done) sim.step(p.decide(sim.observation()) as Placement[]);
    return JSON.stringify(sim.result().summary);
  };
  t.equal(run('fitted'), run('estimate'), 'exact durations: same run');

  // noisy durations: deterministic, differs from estimates, and a clone continues exactly like the original
  const sc = generateScenario(loadWorkload('mix-shift-v1'), { seed: 5, load: 1.1, taskCount: 400 });
  const go = (sim: Simulator, steps = Number.POSITIVE_INFINITY) => {
    const p = createPolicy('hungarian');
    for (let k = 0; k < steps && !sim.done; k++) sim.step(p.decide(sim.observation()) as Placement[]);
    return sim;
  };
  const a = JSON.stringify(go(new Simulator(sc, { freeTime: 'fitted' })).result().summary);
  t.equal(JSON.stringify(go(new Simulator(sc, { freeTime: 'fitted' })).result().summary), a, 'deterministic');
  t.not(JSON.stringify(go(new Simulator(sc)).result().summary), a, 'noisy durations: the decisions change');
  const mid = go(new Simulator(sc, { freeTime: 'fitted' }), 300);
  const twin = mid.clone();
  t.equal(JSON.stringify(go(twin).result().summary), a, 'the clone finishes like the original');
  t.equal(JSON.stringify(go(mid).result().summary), a, 'and the original is untouched by it');

  // once fitted (32 ratios), a busy agent whose run is past its estimate is not shown as free now
  let seen = 0;
  let checked = 0;
  const sim = new Simulator(sc, { freeTime: 'fitted' });
  const p = createPolicy('hungarian');
  while (!sim.done) {
    const o = sim.observation();
    if (sim.c.completed >= 32)
      for (const ag of o.agents) {
        if (ag.running === 0) continue;
        checked++;
        if (ag.estFreeAtMs <= o.nowMs) seen++;
      }
    sim.step(p.decide(o) as Placement[]);
  }
  t.ok(checked > 1000, `${checked} busy agents checked`);
  t.equal(seen, 0, 'every busy agent is predicted to free up after now');
});

t.test('a policy that declares its free-time model runs under it unless the caller says otherwise', async (t) => {
  const sc = generateScenario(loadWorkload('mix-shift-v1'), { seed: 6, load: 0.9, taskCount: 300 });
  const hungarian = createPolicy('hungarian');
  const declaring: Policy = { name: 'fitted-hungarian', freeTime: 'fitted', decide: (o) => hungarian.decide(o) };
  const summary = (r: SimResult) => JSON.stringify(r.summary);
  const fitted = summary(runPolicy(sc, hungarian, { freeTime: 'fitted' }));
  t.equal(summary(runPolicy(sc, declaring)), fitted, 'its own model when the options set none');
  t.equal(
    summary(runPolicy(sc, declaring, { freeTime: 'estimate' })),
    summary(runPolicy(sc, hungarian)),
    'explicit wins',
  );
  t.equal(optionsFor(declaring, { tasksWindowMax: 8 }).freeTime, 'fitted');
  t.equal(optionsFor(hungarian, {}).freeTime, undefined, 'a heuristic declares none');
  // site fine-tuning keeps the base card's model, so the candidate learns on what it will be shown
  const base = { sizes: [FEATURE_COUNT, 4, 1], layers: [] } as unknown as MlpJson;
  const card = { withWait: true, limits: DEFAULT_LIMITS, freeTime: 'fitted' as const };
  t.equal(siteTuneConfig(base, card, 1).rl.freeTime, 'fitted');
  t.equal(siteTuneConfig(base, { withWait: true, limits: DEFAULT_LIMITS }, 1).rl.freeTime, undefined);
});

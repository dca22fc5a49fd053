// Load calibration: the generator offers the load asked for, and the simulated system responds to it sensibly.
import t from 'tap';
import { runPolicy } from '../../models/sim/run.js';
import type { ScenarioAgent } from '../../models/sim/scenario.js';
import { arrivalTimes } from '../../models/workloads/arrivals.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { arrivalRateForLoad, measuredLoad } from '../../models/workloads/load.js';
import type { ArrivalProcess, TaskClass } from '../../models/workloads/workload.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import { Rng } from '../../runtime/scheduler/prng.js';

t.test('hand-computed rate: one 2-core agent, 1-core 1 s tasks -> load 1 is 2 tasks/s', async (t) => {
  const agent: ScenarioAgent = {
    id: 'a',
    kind: 'software',
    capabilities: ['x'],
    capacity: { cpu: 2, memoryMb: 1000, bandwidthKbps: 1000 },
    speed: 1,
    linkQuality: 1,
  };
  const cls: TaskClass = {
    name: 'c',
    weight: 1,
    capability: 'x',
    demand: { cpu: { min: 1, max: 1 }, memoryMb: { min: 100, max: 100 }, bandwidthKbps: { min: 0, max: 0 } },
    durationMs: { mean: 1000, sigma: 0 },
    priority: { min: 0, max: 0 },
  };
  t.equal(arrivalRateForLoad(1, [agent], [cls]) * 1000, 2);
  t.equal(arrivalRateForLoad(0.5, [{ ...agent, speed: 2 }], [cls]) * 1000, 2, 'twice the speed, half the load');
  // a capability pool smaller than the system is the bottleneck
  const other = { ...agent, id: 'b', capabilities: ['y'] };
  t.equal(arrivalRateForLoad(1, [agent, other], [cls]) * 1000, 2, 'only the pool offering x counts');
  t.throws(() => arrivalRateForLoad(0, [agent], [cls]), /load must be > 0/);
});

t.test('generated scenarios offer the requested load (20000 tasks, within 5%)', async (t) => {
  for (const name of ['train-v1', 'mix-shift-v1']) {
    for (const load of [0.3, 1.2]) {
      const s = generateScenario(loadWorkload(name), { load, seed: 77, taskCount: 20000 });
      const m = measuredLoad(s.agents, s.tasks);
      t.ok(Math.abs(m / load - 1) < 0.05, `${name} at ${load}: measured ${m.toFixed(3)}`);
    }
  }
});

t.test('each arrival process keeps its mean rate (many burst cycles and periods)', async (t) => {
  const processes: ArrivalProcess[] = [
    { process: 'poisson' },
    { process: 'bursty', burstRateFactor: 6, meanBurstMs: 50, meanCalmMs: 200 },
    { process: 'diurnal', periodMs: 1000, amplitude: 0.8 },
  ];
  for (const p of processes) {
    const at = arrivalTimes(p, 2, 200_000, new Rng(3));
    const rate = at.length / at[at.length - 1]!;
    t.ok(Math.abs(rate / 2 - 1) < 0.05, `${p.process}: ${rate.toFixed(3)} per ms, want 2`);
    t.ok(
      at.every((x, i) => i === 0 || x >= at[i - 1]!),
      `${p.process}: sorted`,
    );
  }
  // bursty really is burstier than Poisson: more variance of counts per window
  const dispersion = (p: ArrivalProcess) => {
    const at = arrivalTimes(p, 2, 100_000, new Rng(4));
    const counts = new Map<number, number>();
    for (const x of at) counts.set(Math.floor(x / 100), (counts.get(Math.floor(x / 100)) ?? 0) + 1);
    const xs = [...counts.values()];
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length / m;
  };
  t.ok(dispersion(processes[1]!) > 3 * dispersion(processes[0]!), 'bursty counts are overdispersed');
});

t.test('the system responds to load: utilization and slowdown rise, overload queues up', async (t) => {
  const w = loadWorkload('train-v1');
  const util: number[] = [];
  const slow: number[] = [];
  for (const load of [0.3, 0.7, 1.5]) {
    const r = runPolicy(generateScenario(w, { load, seed: 5, taskCount: 1500 }), createPolicy('fifo')).summary;
    util.push(r.utilization);
    slow.push(r.meanSlowdown);
    t.equal(r.unfinished, 0);
  }
  t.ok(util[0]! < util[1]! && util[1]! < util[2]!, `utilization rises: ${util.map((u) => u.toFixed(2))}`);
  t.ok(util[0]! > 0.15 && util[0]! < 0.35, `at load 0.3 utilization is near 0.3 (${util[0]!.toFixed(2)})`);
  t.ok(slow[0]! < 1.6, `light load: little queueing (${slow[0]!.toFixed(2)})`);
  // 2.5x: with the 256-task window fifo backfills past a head that does not fit, so overload queues less than at 64
  t.ok(slow[2]! > 2.5 * slow[0]!, `overload: slowdown grows (${slow.map((s) => s.toFixed(2))})`);
});

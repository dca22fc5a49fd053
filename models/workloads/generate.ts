// Realizes a workload into a scenario for one load and one seed. Independent PRNG streams for agents, arrivals and
// task attributes, so two loads of the same seed share the same agents and the same task attributes (only arrival
// times are rescaled): a load sweep compares like with like.
import { deriveSeed, Rng } from '../../runtime/scheduler/prng.js';
import { SCENARIO_VERSION, type Scenario, type ScenarioAgent, type ScenarioTask } from '../sim/scenario.js';
import { arrivalTimes } from './arrivals.js';
import { arrivalRateForLoad } from './load.js';
import { type Range, type TaskClass, validateWorkload, type Workload } from './workload.js';

export interface GenerateOptions {
  /** offered load, e.g. 0.3 .. 1.5 (see load.ts) */
  load: number;
  seed: number;
  /** overrides workload.taskCount */
  taskCount?: number | undefined;
}

const STREAM_AGENTS = 1;
const STREAM_ARRIVALS = 2;
const STREAM_TASKS = 3;

export function generateScenario(w: Workload, o: GenerateOptions): Scenario {
  validateWorkload(w);
  if (!Number.isInteger(o.seed) || o.seed < 0)
    throw new TypeError(`seed must be a non-negative integer, got ${o.seed}`);
  const agents = realizeAgents(w, o.seed);
  const count = o.taskCount ?? w.taskCount;
  const rate = arrivalRateForLoad(o.load, agents, w.taskClasses);
  // Poisson arrivals of one seed are the same pattern at every load, rescaled in time; bursty and diurnal ones keep
  // their burst and period lengths in ms, so their pattern changes with the rate.
  const at = arrivalTimes(w.arrivals, rate, count, new Rng(deriveSeed(o.seed, STREAM_ARRIVALS)));
  const tasks = realizeTasks(w, count, new Rng(deriveSeed(o.seed, STREAM_TASKS)), (i) => at[i]!);
  return { version: SCENARIO_VERSION, name: w.name, seed: o.seed, load: o.load, agents, tasks };
}

export function realizeAgents(w: Workload, seed: number): ScenarioAgent[] {
  const rng = new Rng(deriveSeed(seed, STREAM_AGENTS));
  const out: ScenarioAgent[] = [];
  for (const g of w.agents) {
    for (let k = 0; k < g.count; k++) {
      const a: ScenarioAgent = {
        id: `${g.name}-${k}`,
        kind: g.kind,
        capabilities: [...g.capabilities],
        capacity: { ...g.capacity },
        speed: round(draw(rng, g.speed), 1000),
        linkQuality: round(draw(rng, g.linkQuality), 1000),
      };
      if (g.battery) {
        const { initialLevel, ...rest } = g.battery;
        a.battery = { initialLevel: round(draw(rng, initialLevel), 1000), ...rest };
      }
      if (g.failure) a.failure = { ...g.failure };
      out.push(a);
    }
  }
  return out;
}

function realizeTasks(w: Workload, count: number, rng: Rng, arrivalAt: (i: number) => number): ScenarioTask[] {
  const cumulative: number[] = [];
  let total = 0;
  for (const c of w.taskClasses) {
    total += c.weight;
    cumulative.push(total);
  }
  const tasks: ScenarioTask[] = [];
  for (let i = 0; i < count; i++) {
    const u = rng.next() * total;
    const c = w.taskClasses[cumulative.findIndex((x) => u < x)] ?? w.taskClasses.at(-1)!;
    tasks.push(realizeTask(c, `t${i}`, arrivalAt(i), w.noise.durationSigma, rng));
  }
  return tasks;
}

function realizeTask(c: TaskClass, id: string, arrivalMs: number, noiseSigma: number, rng: Rng): ScenarioTask {
  const est = Math.max(1, Math.round(rng.lognormal(c.durationMs.mean, c.durationMs.sigma)));
  const t: ScenarioTask = {
    id,
    arrivalMs,
    capability: c.capability,
    demand: {
      cpu: round(draw(rng, c.demand.cpu), 100),
      memoryMb: Math.round(draw(rng, c.demand.memoryMb)),
      bandwidthKbps: Math.round(draw(rng, c.demand.bandwidthKbps)),
    },
    estDurationMs: est,
    priority: Math.floor(draw(rng, { min: c.priority.min, max: c.priority.max + 0.999 })),
    durationFactor: round(rng.lognormal(1, noiseSigma), 10000),
  };
  // draw both numbers always, so adding deadlines to one class does not shift the other classes' streams
  const p = rng.next();
  const slack = c.deadline ? draw(rng, c.deadline.slack) : rng.next();
  if (c.deadline && p < c.deadline.probability) t.deadlineMs = arrivalMs + slack * est;
  return t;
}

function draw(rng: Rng, r: Range): number {
  return r.min + (r.max - r.min) * rng.next();
}

function round(x: number, scale: number): number {
  return Math.max(1 / scale, Math.round(x * scale) / scale);
}

// Deep copy of a running Simulator (Simulator.clone), for rollouts: clone at a decision point, try a decision, run a
// base policy for a while, compare. Every own field of every stateful class has an explicit rule below; a field
// without a rule makes clone throw naming it, so a field added later cannot be silently shared between a simulator and
// its clones. Rules:
//   'value'  a primitive (number, boolean, undefined): copied
//   'share'  never mutated after construction, or immutable once handed out (scenario, task and agent views, the
//            cached observation, lookup maps, the ideal durations): the clone shares the reference
//   function a deep copy of the field
// Cost: O(tasks) typed-array copies plus O(running tasks + agents) objects; the scenario is never copied.
import type { OverrunModel } from '../../runtime/scheduler/overrun-model.js';
import type { Rng } from '../../runtime/scheduler/prng.js';
import type { AgentState, Run } from './agent-state.js';
import type { EventHeap, SimEvent } from './event-heap.js';
import type { SimCounters } from './result.js';
import { idealDurationMs, type Scenario, type ScenarioTask, validateScenario } from './scenario.js';
import type { Simulator } from './simulator.js';
import { DONE, RUNNING, WAITING } from './task-status.js';
import type { WaitingQueue } from './waiting-queue.js';

type Rule = 'value' | 'share' | ((v: never) => unknown);
type Rules = Readonly<Record<string, Rule>>;

/** Copies `src` field by field into a new object of the same class, following `rules`. */
function cloneByRules<T extends object>(src: T, rules: Rules, what: string): T {
  const out = Object.create(Object.getPrototypeOf(src) as object) as Record<string, unknown>;
  const from = src as unknown as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    const rule = rules[key];
    const v = from[key];
    if (rule === undefined) throw new Error(`${what}.clone: field "${key}" has no clone rule (models/sim/clone.ts)`);
    if (rule === 'share') out[key] = v;
    else if (rule === 'value') {
      if (v !== undefined && v !== null && typeof v === 'object') {
        throw new Error(`${what}.clone: field "${key}" is marked 'value' but holds an object`);
      }
      out[key] = v;
    } else out[key] = rule(v as never);
  }
  return out as T;
}

const RNG_RULES: Rules = { s0: 'value', s1: 'value', s2: 'value', s3: 'value' };

function cloneRng(r: Rng): Rng {
  return cloneByRules(r, RNG_RULES, 'Rng');
}

function cloneRun(r: Run): Run {
  return { id: r.id, task: r.task, startMs: r.startMs, endMs: r.endMs, estEndMs: r.estEndMs };
}

const AGENT_RULES: Rules = {
  spec: 'share',
  index: 'value',
  failureRng: cloneRng,
  capabilities: 'share',
  usedCpu: 'value',
  usedMemoryMb: 'value',
  usedBandwidthKbps: 'value',
  runs: (runs: Run[]) => runs.map(cloneRun),
  failed: 'value',
  charging: 'value',
  batteryLevel: 'value',
  batteryAtMs: 'value',
  batteryVersion: 'value',
  version: 'value',
  // an AgentView is never mutated once built (a change builds a new one)
  view: 'share',
  viewVersion: 'value',
  viewNowMs: 'value',
  viewOverrunVersion: 'value',
};

function cloneAgent(a: AgentState): AgentState {
  return cloneByRules(a, AGENT_RULES, 'AgentState');
}

const HEAP_RULES: Rules = {
  // events are never mutated once pushed: a shallow copy of the array keeps the heap order and the tie-break seqs
  items: (items: SimEvent[]) => items.slice(),
  seq: 'value',
};

function cloneHeap(h: EventHeap): EventHeap {
  return cloneByRules(h, HEAP_RULES, 'EventHeap');
}

const QUEUE_RULES: Rules = {
  windowMax: 'value',
  capabilityOf: 'share',
  items: (items: number[]) => items.slice(),
  version: 'value',
  // the window array and its views are never mutated once shown (a change builds a new window)
  window: 'share',
  windowVersion: 'value',
  shownIn: (a: Int32Array) => a.slice(),
};

function cloneQueue(q: WaitingQueue): WaitingQueue {
  return cloneByRules(q, QUEUE_RULES, 'WaitingQueue');
}

const COUNTER_RULES: Rules = {
  startMs: (a: Float64Array) => a.slice(),
  finishMs: (a: Float64Array) => a.slice(),
  agentOf: (a: Int32Array) => a.slice(),
  attempts: (a: Int32Array) => a.slice(),
  busy: (b: SimCounters['busy']) => ({ cpu: b.cpu, memoryMb: b.memoryMb, bandwidthKbps: b.bandwidthKbps }),
  placements: 'value',
  decisions: 'value',
  completed: 'value',
  lostWorkMs: 'value',
  agentFailures: 'value',
  batteryDepletions: 'value',
};

const SIM_RULES: Rules = {
  scenario: 'share',
  timeMaxMs: 'value',
  everyEvent: 'value',
  changed: 'value',
  agents: (agents: AgentState[]) => agents.map(cloneAgent),
  agentIndex: 'share',
  taskIndex: 'share',
  heap: cloneHeap,
  status: (a: Uint8Array) => a.slice(),
  // TaskViews are replaced, never mutated (a failure builds a new view with attempts + 1)
  views: (views: unknown[]) => views.slice(),
  idealMs: 'share',
  waiting: cloneQueue,
  nextArrival: 'value',
  now: 'value',
  decisionPending: 'value',
  needDecision: 'value',
  finished: 'value',
  // the cached observation is immutable (built from immutable views); sharing it keeps observation() identity cheap
  obs: 'share',
  runSeq: 'value',
  inSystemInvIdeal: 'value',
  costAcc: 'value',
  completedAcc: 'value',
  c: (c: SimCounters) => cloneByRules(c, COUNTER_RULES, 'SimCounters'),
  overrun: (m: OverrunModel | undefined) => m?.clone(),
};

/** A simulator in the same state as `sim` that shares no mutable state with it. */
export function cloneSimulator(sim: Simulator): Simulator {
  return cloneByRules(sim, SIM_RULES, 'Simulator');
}

/** The simulator's private fields cloneWithFuture reads (the names SIM_RULES lists). */
interface SimInternals {
  scenario: Scenario;
  nextArrival: number;
  now: number;
  status: Uint8Array;
  idealMs: Float64Array;
  waiting: { capabilityOf: Int32Array };
}

/** Task i's state in `sim`: not arrived yet, waiting (never started, or back after its agent failed), running, done. */
export function taskState(sim: Simulator, i: number): 'future' | 'waiting' | 'running' | 'done' {
  const st = (sim as unknown as SimInternals).status[i];
  return st === WAITING ? 'waiting' : st === RUNNING ? 'running' : st === DONE ? 'done' : 'future';
}

/**
 * A clone of `sim` whose scenario has `tasks` instead: what has happened is kept, what has not may differ. Every task
 * that has arrived keeps all its fields except a waiting task's durationFactor (a running or finished task's is fixed:
 * its end event holds it); each later task may be any task with the same id at that index, arriving at or after now,
 * in order. For rollouts over sampled futures (models/rl/sampled-future.ts). The ideal run times, the in-system cost
 * rate and the window's capability numbers follow the new tasks. Throws a TypeError naming the task and the field.
 */
export function cloneWithFuture(sim: Simulator, tasks: readonly ScenarioTask[]): Simulator {
  const src = sim as unknown as SimInternals;
  const old = src.scenario.tasks;
  if (tasks.length !== old.length) throw new TypeError(`cloneWithFuture: tasks.length must be ${old.length}`);
  let last = src.now;
  for (let i = 0; i < old.length; i++) {
    const t = tasks[i]!;
    const o = old[i]!;
    const bad = (field: string, want: string): never => {
      throw new TypeError(`cloneWithFuture: tasks[${i}] (${o.id}).${field} must ${want}`);
    };
    if (t.id !== o.id) bad('id', `stay "${o.id}"`);
    if (i >= src.nextArrival) {
      if (!(t.arrivalMs >= last)) bad('arrivalMs', `be >= now and in order (>= ${last})`);
      last = t.arrivalMs;
      continue;
    }
    for (const k of ['arrivalMs', 'capability', 'estDurationMs', 'priority', 'deadlineMs'] as const)
      if (t[k] !== o[k]) bad(k, 'stay as it was (the task has arrived)');
    for (const k of ['cpu', 'memoryMb', 'bandwidthKbps'] as const)
      if (t.demand[k] !== o.demand[k]) bad(`demand.${k}`, 'stay as it was (the task has arrived)');
    const st = src.status[i];
    if ((st === RUNNING || st === DONE) && t.durationFactor !== o.durationFactor)
      bad('durationFactor', 'stay as it was (the task is running or done)');
  }
  const scenario: Scenario = { ...src.scenario, tasks: tasks as ScenarioTask[] };
  validateScenario(scenario);
  const ideal = Float64Array.from(tasks, (t) => idealDurationMs(scenario, t));
  let inSystemInvIdeal = 0;
  for (let i = 0; i < tasks.length; i++)
    if (src.status[i] === WAITING || src.status[i] === RUNNING) inSystemInvIdeal += 1 / ideal[i]!;
  const capIds = new Map<string, number>();
  for (let i = 0; i < old.length; i++) capIds.set(old[i]!.capability, src.waiting.capabilityOf[i]!);
  const capabilityOf = Int32Array.from(tasks, (t) => {
    const id = capIds.get(t.capability) ?? capIds.size;
    capIds.set(t.capability, id);
    return id;
  });
  const queueRules: Rules = { ...QUEUE_RULES, capabilityOf: () => capabilityOf };
  return cloneByRules(
    sim,
    {
      ...SIM_RULES,
      scenario: () => scenario,
      idealMs: () => ideal,
      inSystemInvIdeal: () => inSystemInvIdeal,
      waiting: (q: WaitingQueue) => cloneByRules(q, queueRules, 'WaitingQueue'),
    },
    'Simulator',
  );
}

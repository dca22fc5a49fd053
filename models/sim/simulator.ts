// Discrete-event simulator of the scheduling world. Deterministic: the same scenario and options give the same trace
// and results. Driven step by step (for training) or by runPolicy (models/sim/run.ts):
//   const sim = new Simulator(scenario);
//   while (!sim.done) sim.step(policy.decide(sim.observation()));
//   const result = sim.result();
// A decision point is reached after all events of one instant are handled while tasks wait and an agent is online.
import { OBSERVATION_TASKS_DEFAULT } from '../../runtime/scheduler/observation-window.js';
import { OverrunModel } from '../../runtime/scheduler/overrun-model.js';
import type { AgentView, Observation, Placement, TaskView } from '../../runtime/scheduler/policy.js';
import { deriveSeed, Rng } from '../../runtime/scheduler/prng.js';
import { AgentState } from './agent-state.js';
import { cloneSimulator } from './clone.js';
import { EventHeap, EventKind } from './event-heap.js';
import { freeTimeOf, type SimOptions } from './options.js';
import { buildResult, type SimCounters, type SimResult } from './result.js';
import { idealDurationMs, type Scenario, validateScenario } from './scenario.js';
import { DONE, RUNNING, WAITING } from './task-status.js';
import { WaitingQueue } from './waiting-queue.js';

export type { FreeTimeModel, SimOptions } from './options.js';

export interface StepResult {
  /**
   * Slowdown accrued since the previous decision: sum over tasks in the system of elapsed ms / ideal ms. Summed over a
   * run it equals the sum of all tasks' slowdowns, so -slowdownCost is a reward aligned with mean slowdown.
   */
  slowdownCost: number;
  /** tasks completed since the previous decision */
  completed: number;
  /** placements applied by this step */
  placed: number;
  /** simulated time advanced, ms */
  dtMs: number;
}

export class Simulator {
  readonly scenario: Scenario;
  private readonly timeMaxMs: number;
  private readonly everyEvent: boolean;
  /** an event of the current instant may have made a placement possible */
  private changed = false;
  private readonly agents: AgentState[];
  private readonly agentIndex = new Map<string, number>();
  private readonly taskIndex = new Map<string, number>();
  private readonly heap = new EventHeap();
  private readonly status: Uint8Array;
  private readonly views: (TaskView | undefined)[];
  readonly idealMs: Float64Array;
  private readonly waiting: WaitingQueue;
  private nextArrival = 0;
  private now = 0;
  private decisionPending = false;
  private needDecision = false;
  private finished = false;
  private obs: Observation | undefined;
  private runSeq = 0;
  private inSystemInvIdeal = 0;
  private costAcc = 0;
  private completedAcc = 0;
  readonly c: SimCounters;
  private readonly overrun: OverrunModel | undefined;

  constructor(scenario: Scenario, options: SimOptions = {}) {
    validateScenario(scenario);
    this.overrun = freeTimeOf(options) === 'fitted' ? new OverrunModel() : undefined;
    this.scenario = scenario;
    this.everyEvent = options.decideOnEveryEvent ?? false;
    const lastArrival = scenario.tasks.at(-1)?.arrivalMs ?? 0;
    this.timeMaxMs = options.simTimeMaxMs ?? 20 * lastArrival + 3_600_000;
    const n = scenario.tasks.length;
    this.status = new Uint8Array(n);
    this.views = new Array(n);
    const capabilityIds = new Map<string, number>();
    const capabilityOf = Int32Array.from(scenario.tasks, (t) => {
      const id = capabilityIds.get(t.capability) ?? capabilityIds.size;
      capabilityIds.set(t.capability, id);
      return id;
    });
    this.waiting = new WaitingQueue(n, options.tasksWindowMax ?? OBSERVATION_TASKS_DEFAULT, capabilityOf);
    this.idealMs = new Float64Array(n);
    this.c = {
      startMs: new Float64Array(n).fill(Number.NaN),
      finishMs: new Float64Array(n).fill(Number.NaN),
      agentOf: new Int32Array(n).fill(-1),
      attempts: new Int32Array(n),
      busy: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 },
      placements: 0,
      decisions: 0,
      completed: 0,
      lostWorkMs: 0,
      agentFailures: 0,
      batteryDepletions: 0,
    };
    this.agents = scenario.agents.map((a, i) => {
      this.agentIndex.set(a.id, i);
      return new AgentState(a, i, new Rng(deriveSeed(scenario.seed, 0xfa11, i)));
    });
    scenario.tasks.forEach((t, i) => {
      this.taskIndex.set(t.id, i);
      this.idealMs[i] = idealDurationMs(scenario, t);
    });
    for (const a of this.agents) {
      if (a.spec.failure)
        this.heap.push(a.failureRng.exponential(a.spec.failure.mtbfMs), EventKind.Failure, a.index, 0);
      this.rescheduleBattery(a);
    }
    this.advance();
  }

  /** Current simulated time, ms. */
  get nowMs(): number {
    return this.now;
  }

  /** True once every task finished, or the run stalled or hit simTimeMaxMs. */
  get done(): boolean {
    return this.finished;
  }

  /** The observation of the current decision point (same object until step is called). */
  observation(): Observation {
    if (!this.decisionPending) throw new Error('Simulator.observation: no decision pending (simulation done)');
    this.obs ??= this.buildObservation();
    return this.obs;
  }

  /** Applies the placements of the current decision and runs to the next decision point or the end. */
  step(placements: readonly Placement[]): StepResult {
    if (!this.decisionPending) throw new Error('Simulator.step: no decision pending (simulation done)');
    const startMs = this.now;
    this.observation();
    for (const p of placements) this.place(p);
    if (placements.length > 0) this.waiting.retain((ti) => this.status[ti] === WAITING);
    const shown = this.obs?.tasks.length ?? 0;
    this.c.decisions++;
    this.decisionPending = false;
    this.obs = undefined;
    // Ask again at the same instant only when tasks beyond the window may now be placeable.
    this.needDecision = placements.length > 0 && this.waiting.length > 0 && shown === this.waiting.windowMax;
    if (!this.needDecision && placements.length === 0 && this.stalled()) this.finished = true;
    else this.advance();
    const r: StepResult = {
      slowdownCost: this.costAcc,
      completed: this.completedAcc,
      placed: placements.length,
      dtMs: this.now - startMs,
    };
    this.costAcc = 0;
    this.completedAcc = 0;
    return r;
  }

  /** A deep copy sharing no mutable state (models/sim/clone.ts): same future under the same decisions. */
  clone(): Simulator {
    return cloneSimulator(this);
  }

  result(): SimResult {
    return buildResult(this.scenario, this.c, this.idealMs, this.now);
  }

  /** Nothing can change any more without a placement: no arrivals ahead, nothing running, every agent up. */
  private stalled(): boolean {
    if (this.nextArrival < this.scenario.tasks.length) return false;
    return this.agents.every((a) => a.online && a.runs.length === 0);
  }

  private advance(): void {
    const tasks = this.scenario.tasks;
    for (;;) {
      if (this.c.completed === tasks.length) {
        this.finish();
        return;
      }
      if (this.needDecision && this.waiting.length > 0 && this.agents.some((a) => a.online)) {
        this.decisionPending = true;
        this.needDecision = false;
        return;
      }
      const arrivalMs = this.nextArrival < tasks.length ? tasks[this.nextArrival]!.arrivalMs : Number.POSITIVE_INFINITY;
      const t = Math.min(arrivalMs, this.heap.peekTime());
      if (t === Number.POSITIVE_INFINITY || t > this.timeMaxMs) {
        this.finish();
        return;
      }
      this.costAcc += this.inSystemInvIdeal * (t - this.now);
      this.now = t;
      this.changed = this.everyEvent;
      while (this.heap.peekTime() === t) this.handle();
      while (this.nextArrival < tasks.length && tasks[this.nextArrival]!.arrivalMs === t)
        this.arrive(this.nextArrival++);
      this.needDecision = this.changed;
    }
  }

  private finish(): void {
    this.finished = true;
    this.decisionPending = false;
  }

  private arrive(i: number): void {
    const t = this.scenario.tasks[i]!;
    const view: TaskView = {
      id: t.id,
      capability: t.capability,
      demand: t.demand,
      estDurationMs: t.estDurationMs,
      priority: t.priority,
      arrivalMs: t.arrivalMs,
      attempts: 0,
    };
    if (t.deadlineMs !== undefined) view.deadlineMs = t.deadlineMs;
    this.views[i] = view;
    this.status[i] = WAITING;
    this.waiting.push(i);
    this.inSystemInvIdeal += 1 / this.idealMs[i]!;
    if (!this.changed) this.changed = this.agents.some((a) => a.online && a.fits(t));
  }

  private handle(): void {
    const e = this.heap.pop()!;
    const a = this.agents[e.agent]!;
    switch (e.kind) {
      case EventKind.Completion:
        this.complete(a, e.ref);
        return;
      case EventKind.Failure: {
        this.changed = true;
        a.settleBattery(this.now);
        a.failed = true;
        this.c.agentFailures++;
        this.evictAll(a);
        this.heap.push(
          this.now + a.failureRng.exponential(a.spec.failure!.meanRepairMs),
          EventKind.Recovery,
          a.index,
          0,
        );
        this.rescheduleBattery(a);
        return;
      }
      case EventKind.Recovery: {
        this.changed = true;
        a.settleBattery(this.now);
        a.failed = false;
        this.heap.push(this.now + a.failureRng.exponential(a.spec.failure!.mtbfMs), EventKind.Failure, a.index, 0);
        this.rescheduleBattery(a);
        return;
      }
      case EventKind.BatteryEmpty:
      case EventKind.BatteryFull: {
        if (e.ref !== a.batteryVersion) return;
        this.changed = true;
        a.settleBattery(this.now);
        if (e.kind === EventKind.BatteryEmpty) {
          a.batteryLevel = 0;
          a.charging = true;
          this.c.batteryDepletions++;
          this.evictAll(a);
        } else {
          a.charging = false;
          a.batteryLevel = Math.max(a.batteryLevel, a.spec.battery!.resumeLevel);
        }
        this.rescheduleBattery(a);
        return;
      }
    }
  }

  /** Called after every change of an agent's use or status. */
  private rescheduleBattery(a: AgentState): void {
    a.version++;
    a.batteryVersion++;
    const next = a.nextBatteryEvent(this.now);
    if (!next) return;
    const kind = next.kind === 'empty' ? EventKind.BatteryEmpty : EventKind.BatteryFull;
    this.heap.push(next.timeMs, kind, a.index, a.batteryVersion);
  }

  private place(p: Placement): void {
    const ti = this.taskIndex.get(p.taskId);
    const ai = this.agentIndex.get(p.agentId);
    const where = `[task=${p.taskId} agent=${p.agentId} t=${this.now}]`;
    if (ti === undefined || !this.waiting.inCurrentWindow(ti) || this.status[ti] !== WAITING) {
      throw new Error(`placement of a task not waiting in this observation (or placed twice) ${where}`);
    }
    if (ai === undefined || !this.agents[ai]!.online) throw new Error(`placement on an agent not online ${where}`);
    const a = this.agents[ai]!;
    const t = this.scenario.tasks[ti]!;
    if (!a.capabilities.has(t.capability)) throw new Error(`placement on an agent lacking ${t.capability} ${where}`);
    if (!a.fits(t)) throw new Error(`placement whose demand does not fit the agent's free resources ${where}`);
    this.start(ti, a);
  }

  private start(ti: number, a: AgentState): void {
    const t = this.scenario.tasks[ti]!;
    const s = a.spec;
    a.settleBattery(this.now);
    const bwShare = s.capacity.bandwidthKbps > 0 ? t.demand.bandwidthKbps / s.capacity.bandwidthKbps : 0;
    const durMs = ((t.estDurationMs * t.durationFactor) / s.speed) * (1 + (1 - s.linkQuality) * bwShare);
    const run = { id: ++this.runSeq, task: ti, startMs: this.now, endMs: this.now + durMs, estEndMs: 0 };
    run.estEndMs = this.now + t.estDurationMs / s.speed;
    a.runs.push(run);
    a.usedCpu += t.demand.cpu;
    a.usedMemoryMb += t.demand.memoryMb;
    a.usedBandwidthKbps += t.demand.bandwidthKbps;
    this.status[ti] = RUNNING;
    this.c.startMs[ti] = this.now;
    this.c.agentOf[ti] = a.index;
    this.c.placements++;
    this.heap.push(run.endMs, EventKind.Completion, a.index, run.id);
    this.rescheduleBattery(a);
  }

  private complete(a: AgentState, runId: number): void {
    const k = a.runs.findIndex((r) => r.id === runId);
    if (k < 0) return; // the run was evicted by a failure; its completion is stale
    this.changed = true;
    const run = a.runs[k]!;
    a.runs.splice(k, 1);
    this.overrun?.observe((this.now - run.startMs) / (run.estEndMs - run.startMs));
    a.settleBattery(this.now);
    this.release(a, run.task, this.now - run.startMs);
    this.status[run.task] = DONE;
    this.c.finishMs[run.task] = this.now;
    this.c.completed++;
    this.completedAcc++;
    this.inSystemInvIdeal -= 1 / this.idealMs[run.task]!;
    this.rescheduleBattery(a);
  }

  private release(a: AgentState, ti: number, heldMs: number): void {
    const d = this.scenario.tasks[ti]!.demand;
    a.usedCpu -= d.cpu;
    a.usedMemoryMb -= d.memoryMb;
    a.usedBandwidthKbps -= d.bandwidthKbps;
    if (a.runs.length === 0) a.usedCpu = a.usedMemoryMb = a.usedBandwidthKbps = 0; // drop float residue
    this.c.busy.cpu += d.cpu * heldMs;
    this.c.busy.memoryMb += d.memoryMb * heldMs;
    this.c.busy.bandwidthKbps += d.bandwidthKbps * heldMs;
  }

  /** The agent went down: its tasks lose their progress and wait again, in arrival order. */
  private evictAll(a: AgentState): void {
    const runs = a.runs.splice(0);
    for (const run of runs) {
      this.release(a, run.task, this.now - run.startMs);
      this.c.lostWorkMs += this.now - run.startMs;
      this.status[run.task] = WAITING;
      this.c.attempts[run.task]!++;
      const old = this.views[run.task]!;
      this.views[run.task] = { ...old, attempts: old.attempts + 1 };
      this.waiting.reinsert(run.task);
    }
  }

  private buildObservation(): Observation {
    const tasks = this.waiting.head((ti) => this.views[ti]!);
    const agents: AgentView[] = [];
    for (const a of this.agents) if (a.online) agents.push(this.agentView(a));
    return { nowMs: this.now, tasks, agents, waitingTotal: this.waiting.length };
  }

  /** Reuses the agent's last view while nothing it shows has changed (views are never mutated once handed out). */
  private agentView(a: AgentState): AgentView {
    const s = a.spec;
    const c = a.view;
    if (c && a.viewVersion === a.version) {
      const m = this.overrun;
      // fitted free times move with the clock and with every finished task, estimates only with the agent's state
      if (m ? a.viewNowMs === this.now && a.viewOverrunVersion === m.version : a.viewNowMs === this.now) return c;
      if (!m && !s.battery && c.estFreeAtMs > this.now) return c;
    }
    const view: AgentView = {
      id: s.id,
      kind: s.kind,
      capabilities: s.capabilities,
      capacity: s.capacity,
      used: { cpu: a.usedCpu, memoryMb: a.usedMemoryMb, bandwidthKbps: a.usedBandwidthKbps },
      running: a.runs.length,
      estFreeAtMs: a.estFreeAtMs(this.now, this.overrun),
      speed: s.speed,
      linkQuality: s.linkQuality,
    };
    if (s.battery) {
      a.settleBattery(this.now);
      view.battery = a.batteryLevel;
    }
    a.view = view;
    a.viewVersion = a.version;
    a.viewNowMs = this.now;
    a.viewOverrunVersion = this.overrun?.version ?? -1;
    return view;
  }
}

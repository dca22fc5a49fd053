// The live scheduling loop: on its timer (decisionIntervalMs) or when woken (a submit, a result, an agent change) it
// sweeps timeouts, shows the policy the oldest waiting tasks and the online agents (observation-builder.ts), and turns
// the placements still valid when the decision returns into assignments. One decision runs at a time.
import type { Logger } from 'pino';
import type { TaskAssignMessage } from '../bus/schemas/task-messages.js';
import { FreeTable } from './feasibility.js';
import { buildObservation, type ObservationSources, placedByAgent } from './observation-builder.js';
import type { Observation, Placement, Policy } from './policy.js';
import type { TaskLifecycle } from './task-lifecycle.js';
import type { TaskStore } from './task-store.js';

export interface LoopOptions {
  store: TaskStore;
  lifecycle: TaskLifecycle;
  sources: ObservationSources;
  /** the running policy; null while it loads */
  policy(): Policy | null;
  assign(agentId: string, message: TaskAssignMessage): void;
  decisionIntervalMs: number;
  observationTasksMax: number;
  logger: Logger;
  now?: (() => number) | undefined;
}

export interface LoopStats {
  decisions: number;
  placements: number;
  /** placements dropped because the state changed while the policy decided, or the policy broke a rule */
  placementsRefused: number;
  /** retries moved off an agent that already had the task, to another feasible one */
  retriesRedirected: number;
  policyErrors: number;
  lastDecisionMs: number | null;
  /** sum over decisions of the time policy.decide took, ms (mean = decisionMsTotal / decisions) */
  decisionMsTotal: number;
}

export class SchedulingLoop {
  readonly stats: LoopStats = {
    decisions: 0,
    placements: 0,
    placementsRefused: 0,
    retriesRedirected: 0,
    policyErrors: 0,
    lastDecisionMs: null,
    decisionMsTotal: 0,
  };
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  readonly #now: () => number;

  constructor(private readonly o: LoopOptions) {
    this.#now = o.now ?? Date.now;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.wake(), this.o.decisionIntervalMs);
    this.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#soon) clearImmediate(this.#soon);
    this.#soon = undefined;
    await this.#running;
  }

  /** runs a decision soon (coalesced); safe to call often */
  wake(): void {
    if (!this.#timer) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#soon ??= setImmediate(() => {
      this.#soon = undefined;
      this.#running = this.#cycle().finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
    });
  }

  async #cycle(): Promise<void> {
    const { store, lifecycle } = this.o;
    lifecycle.sweep(this.#now());
    const policy = this.o.policy();
    if (!policy || store.queuedCount === 0) return;
    const obs = this.#observe();
    if (obs.agents.length === 0) return;
    const started = performance.now();
    let placements: readonly Placement[];
    try {
      placements = await policy.decide(obs);
    } catch (err) {
      this.stats.policyErrors++;
      this.o.logger.error({ err, policy: policy.name }, 'tasks: policy decision failed');
      return;
    }
    this.stats.decisions++;
    this.stats.lastDecisionMs = performance.now() - started;
    this.stats.decisionMsTotal += this.stats.lastDecisionMs;
    const placed = this.#apply(placements);
    // tasks beyond the window may fit now that the head moved
    if (placed > 0 && store.queuedCount > 0) this.#again = true;
  }

  #observe(): Observation {
    const { store, sources } = this.o;
    const queued = store.queued(this.o.observationTasksMax);
    return buildObservation(sources, queued, store.queuedCount, placedByAgent(store.active()), this.#now());
  }

  /** re-checks each placement against the state now (a decision may take a while) and assigns the valid ones */
  #apply(placements: readonly Placement[]): number {
    const { store, lifecycle } = this.o;
    const fresh = this.#observe();
    const table = new FreeTable(fresh);
    const index = new Map(fresh.agents.map((a, i) => [a.id, i]));
    const views = new Map(fresh.tasks.map((t) => [t.id, t]));
    const redirect: string[] = [];
    for (const p of placements) {
      const view = views.get(p.taskId);
      const ai = index.get(p.agentId);
      if (!view || ai === undefined || !table.canPlace(view, ai)) {
        this.stats.placementsRefused++;
        continue;
      }
      const task = store.get(p.taskId)!;
      const tried = lifecycle.triedAgents(task);
      if (
        tried.has(p.agentId) &&
        fresh.agents.some((a) => !tried.has(a.id) && a.capabilities.includes(view.capability))
      ) {
        redirect.push(p.taskId);
        continue;
      }
      table.place(view, ai);
    }
    // a retry goes to another agent when one can take it now; otherwise it waits for the next decision
    for (const taskId of redirect) {
      const view = views.get(taskId)!;
      const tried = lifecycle.triedAgents(store.get(taskId)!);
      const ai = fresh.agents.findIndex((a, i) => !tried.has(a.id) && table.canPlace(view, i));
      if (ai >= 0) {
        table.place(view, ai);
        this.stats.retriesRedirected++;
      }
    }
    const nowMs = this.#now();
    for (const p of table.placements) {
      this.o.assign(p.agentId, lifecycle.assign(p.taskId, p.agentId, nowMs));
      this.stats.placements++;
    }
    return table.placements.length;
  }
}

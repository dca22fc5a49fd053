// Steps with where: "cluster": the step becomes a cluster task (the `task.submit` command of cluster.tasks.submit,
// proposed through the leader), the leader places it on an agent with the capability on any member gateway, that
// gateway runs it and commits `task.finish` with the result. The step follows the task in this gateway's copy of the
// replicated state (on the jobs reconcile timer: the state has no change listener), and ends with it.
//
// Restart-safe: the task id is derived from the gateway, the job and its arrival number and kept in the step before
// anything is proposed; the state machine refuses a second `task.submit` of an id ("already submitted"), which here
// means "it is there", so a step whose submit was never acknowledged (a restart, a leader election, the cluster
// still starting) is simply proposed again. An acknowledged task missing from this node's state is checked with a
// linearizable read first (the node may be catching up after a restart); only then is it taken as dropped.
import { createHash } from 'node:crypto';
import type { TaskState } from '../bus/schemas/task-messages.js';
import type { TaskRecord as ClusterTask } from '../cluster/state/cluster-state.js';
import type { ClusterLink } from './cluster-link.js';
import { isJobFinal, type JobRecord, type StepRecord } from './job-record.js';

const EST_DURATION_MS_DEFAULT = 1000;
/** characters of the job id kept readable in a cluster task id (the id is one topic level of <= 64 on the runner) */
const JOB_ID_PREFIX_MAX = 40;
/** of a failed task's result quoted in the step's reason */
const REASON_RESULT_CHARS_MAX = 512;

export interface ClusterStepHooks {
  /** the step changed (state of its cluster task, its gateway) */
  touch(job: JobRecord): void;
  /** the cluster task is done: keep its result (with the runner's size limits) and advance the job */
  done(job: JobRecord, step: StepRecord, result: unknown, keeper: string): void;
  /** the step failed: skip its dependents and advance the job */
  fail(job: JobRecord, step: StepRecord, reason: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  /** a proposal or read in flight, awaited before the component stops */
  track(p: Promise<void>): void;
}

export class ClusterSteps {
  /** cluster task ids with a proposal or a read in flight: one at a time per step */
  readonly #busy = new Set<string>();
  /** steps already warned about an unreachable cluster (one log line each, not one per reconcile) */
  readonly #warned = new Set<string>();

  constructor(
    private readonly link: () => ClusterLink | undefined,
    /** this gateway's id: job ids are unique per gateway, cluster task ids across the cluster */
    private readonly gatewayId: string,
    private readonly hooks: ClusterStepHooks,
  ) {}

  get enabled(): boolean {
    return this.link()?.enabled ?? false;
  }

  /** `{jobId prefix}.{12 hex of sha256(gateway, job, arrival number)}.c{index}`: the same on every resubmit */
  taskId(job: Readonly<JobRecord>, index: number): string {
    const h = createHash('sha256').update(`${this.gatewayId}\0${job.id}\0${job.seq}`).digest('hex').slice(0, 12);
    return `${job.id.slice(0, JOB_ID_PREFIX_MAX)}.${h}.c${index}`;
  }

  /** the step is running with its task id set and stored: propose its task */
  start(job: JobRecord, step: StepRecord, input: unknown): void {
    this.#submit(job, step, input);
  }

  /** the step against its cluster task in this node's replicated state */
  follow(job: JobRecord, step: StepRecord, input: () => unknown): void {
    if (!active(job, step)) return;
    const id = step.taskId as string;
    const task = this.#task(id);
    if (task === null) return; // the cluster is not running (yet): the next reconcile looks again
    if (task === undefined) {
      if (step.taskState === null) this.#submit(job, step, input());
      else this.#confirmGone(job, step);
      return;
    }
    const state: TaskState = task.status;
    const changed = state !== step.taskState || (task.gatewayId ?? null) !== (step.gatewayId ?? null);
    step.taskState = state;
    if (task.gatewayId === undefined) delete step.gatewayId;
    else step.gatewayId = task.gatewayId;
    if (task.status === 'done') this.hooks.done(job, step, task.result, `cluster.state ${id}`);
    else if (task.status === 'failed') {
      this.hooks.fail(job, step, `cluster task ${id} failed on ${task.gatewayId ?? '?'}: ${failure(task.result)}`);
    } else if (changed) this.hooks.touch(job);
  }

  /** undefined: not in the state; null: the cluster is not running */
  #task(id: string): ClusterTask | undefined | null {
    let tasks: Readonly<Record<string, ClusterTask>>;
    try {
      const link = this.link();
      if (!link) return null;
      tasks = link.state.data.tasks;
    } catch {
      return null;
    }
    return Object.hasOwn(tasks, id) ? tasks[id] : undefined;
  }

  #submit(job: JobRecord, step: StepRecord, input: unknown): void {
    const id = step.taskId as string;
    const link = this.link();
    if (!link?.enabled) {
      // the job was accepted with the cluster on, and the gateway restarted with it off
      this.hooks.fail(job, step, 'cluster steps need the cluster, and cluster.enabled is false');
      return;
    }
    if (this.#busy.has(id)) return;
    this.#busy.add(id);
    const { spec } = step;
    const p = Promise.resolve()
      .then(() =>
        link.submit({
          op: 'propose',
          cmd: {
            type: 'task.submit',
            task: {
              id,
              capability: spec.capability,
              priority: spec.priority ?? 0,
              estDurationMs: spec.estDurationMs ?? EST_DURATION_MS_DEFAULT,
              input,
            },
          },
        }),
      )
      .then(
        (r) => {
          if (!active(job, step)) return;
          const { ok, reason } = (r ?? {}) as { ok?: boolean; reason?: string };
          if (ok === false && !/already submitted/.test(reason ?? '')) {
            this.hooks.fail(job, step, `cluster task ${id} not submitted: ${reason}`);
            return;
          }
          this.#warned.delete(id);
          if (step.taskState !== null) return;
          step.taskState = 'queued'; // acknowledged: from now on a missing task is checked, never proposed again
          this.hooks.touch(job);
        },
        (err: unknown) => this.#unreachable(job, step, err, 'cluster task not submitted yet, retrying'),
      )
      .finally(() => this.#busy.delete(id));
    this.hooks.track(p);
  }

  /** acknowledged but not in this node's state: after a read barrier it is there, or it was dropped */
  #confirmGone(job: JobRecord, step: StepRecord): void {
    const id = step.taskId as string;
    const link = this.link();
    if (!link || this.#busy.has(id)) return;
    this.#busy.add(id);
    // read() throws at once while the node is starting: the same retry as a failed read
    const p = Promise.resolve()
      .then(() => link.read())
      .then(
        () => {
          if (!active(job, step)) return;
          const task = this.#task(id);
          if (task === null) return;
          if (task) this.follow(job, step, () => undefined);
          else
            this.hooks.fail(
              job,
              step,
              `cluster task ${id} is no longer kept by the cluster (oldest finished tasks beyond TASKS_MAX are dropped)`,
            );
        },
        (err: unknown) => this.#unreachable(job, step, err, 'cluster state not read, retrying'),
      )
      .finally(() => this.#busy.delete(id));
    this.hooks.track(p);
  }

  #unreachable(job: JobRecord, step: StepRecord, err: unknown, message: string): void {
    const id = step.taskId as string;
    if (this.#warned.has(id) || !active(job, step)) return;
    this.#warned.add(id);
    this.hooks.warn(
      { jobId: job.id, stepId: step.spec.id, taskId: id, err: (err as Error).message },
      `jobs: ${message}`,
    );
  }

  /** the step ended (cancel, failure): forget its warning */
  forget(taskId: string): void {
    this.#warned.delete(taskId);
  }
}

function active(job: JobRecord, step: StepRecord): boolean {
  return step.state === 'running' && step.taskId !== null && !isJobFinal(job.state);
}

/** a failed cluster task's result says why: `{ state, reason }` from the running gateway, or the agent's error */
function failure(result: unknown): string {
  if (result !== null && typeof result === 'object') {
    const { state, reason } = result as { state?: unknown; reason?: unknown };
    if (typeof reason === 'string') return typeof state === 'string' ? `${state}: ${reason}` : reason;
  }
  const text = result === undefined ? 'no reason given' : JSON.stringify(result);
  return text.slice(0, REASON_RESULT_CHARS_MAX);
}

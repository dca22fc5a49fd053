import { OBSERVATION_TASKS_DEFAULT } from '../../scheduler/observation-window.js';
import { FREE_TIME_MODELS, type FreeTimeModel } from '../../scheduler/overrun-model.js';
import { defineSection, intSetting } from '../section.js';

export interface SchedulerConfig {
  /** "rl" (the shipped learned model) or a heuristic name from runtime/scheduler/policies/registry.ts */
  policy: string;
  /** ONNX model file; empty = models/shipped/scheduler.onnx of this installation */
  modelPath: string;
  /** heuristic used when the model is missing, corrupt or built for other features */
  fallback: string;
  // ---- the live task lifecycle (runtime/scheduler/scheduler-component.ts) ----
  /** tasks waiting or running at once; a submit beyond it is refused with limit_reached */
  queueLengthMax: number;
  /** placements after the first one when an attempt fails, is rejected, times out or its agent is lost */
  retriesMax: number;
  /** an agent must accept an assignment within this, or the attempt is lost */
  ackTimeoutMs: number;
  /** one attempt may run max(runTimeoutMsMin, runTimeoutFactor x estDurationMs) unless the task sets timeoutMs */
  runTimeoutFactor: number;
  runTimeoutMsMin: number;
  /** the scheduling loop asks the policy at most this often (sooner after a submit, a result or an agent change) */
  decisionIntervalMs: number;
  /**
   * how a busy agent's free time is predicted for a heuristic policy: 'fitted' from how long its runs have taken and
   * how actual run times compare to estimates at this site (overrun-model.ts), 'estimate' from the estimates alone. A
   * learned model is always shown what it was trained with (its card's freeTime).
   */
  freeTime: FreeTimeModel;
  /** tasks shown to the policy in one observation (each capability's oldest, shared fairly); the rest wait */
  observationTasksMax: number;
  /** finished tasks (with their results) kept for tasks.get/list; the oldest are dropped beyond it */
  finishedTasksMax: number;
  /** record the site trace (arrivals, placements, observed durations) under the data dir for `model train --trace` */
  traceEnabled: boolean;
  /** tasks per trace file before it rotates */
  traceTasksPerFileMax: number;
  /** trace files kept (current plus rotated) */
  traceFilesMax: number;
  /** the current trace file is rewritten at most this often */
  traceFlushIntervalMs: number;
  /** retraining the running model from the site trace (runtime/scheduler/site-learning.ts) */
  siteLearning: SiteLearningConfig;
}

export interface SiteLearningConfig {
  /** retrain by itself every `everyRuns` completed runs (API `model.retrain` works either way) */
  enabled: boolean;
  /** completed runs since the last retrain that start an automatic one */
  everyRuns: number;
  /** fine-tuning episodes per retrain (one replay of one training window each) */
  episodes: number;
  /** wall-time budget of the training, minutes; the worker is killed a while after it */
  minutes: number;
  /** arrivals per trace window */
  windowTasks: number;
  /** share of the windows (the newest) held out for the accept/reject comparison */
  heldOutFraction: number;
  /** newest tasks of the trace read for a retrain */
  traceTasksMax: number;
  /** V8 heap limit of the retrain worker process, MiB */
  workerHeapMb: number;
  /** accepted site models kept on disk (the active one is never deleted) */
  modelsKeptMax: number;
}

const int = intSetting;

export const schedulerSection = defineSection<SchedulerConfig>(
  'scheduler',
  'task placement policy (the learned model rl with a heuristic fallback) and the live task lifecycle',
  {
    properties: {
      policy: { type: 'string', minLength: 1, default: 'rl', description: 'rl or a heuristic name' },
      modelPath: { type: 'string', default: '', description: 'ONNX model file; empty = the shipped model' },
      fallback: {
        type: 'string',
        minLength: 1,
        default: 'hungarian',
        description: 'heuristic used when the model is refused',
      },
      queueLengthMax: int(1, 1000000, 1000, 'tasks waiting or running at once; more submits get limit_reached'),
      retriesMax: int(0, 100, 2, 'placements after the first when an attempt is lost, fails or times out'),
      ackTimeoutMs: int(100, 600000, 5000, 'an agent must accept an assignment within this, ms'),
      runTimeoutFactor: {
        type: 'number',
        minimum: 1,
        maximum: 1000,
        default: 3,
        description: 'one attempt may run this many times its estimate (unless the task sets timeoutMs)',
      },
      runTimeoutMsMin: int(100, 604800000, 10000, 'lower bound of the default attempt timeout, ms'),
      decisionIntervalMs: int(10, 60000, 250, 'the scheduling loop runs at least this often, ms'),
      freeTime: {
        type: 'string',
        enum: [...FREE_TIME_MODELS],
        default: 'fitted',
        description:
          "busy agents' free times for heuristic policies: fitted (given how long runs have taken, learned from " +
          'finished tasks) or estimate; a learned model gets what it was trained with',
      },
      observationTasksMax: int(
        1,
        10000,
        OBSERVATION_TASKS_DEFAULT,
        'waiting tasks shown to the policy per decision (the oldest of each capability, shared fairly)',
      ),
      finishedTasksMax: int(1, 1000000, 1000, 'finished tasks kept with their results'),
      traceEnabled: { type: 'boolean', default: true, description: 'record the site trace under the data dir' },
      traceTasksPerFileMax: int(10, 1000000, 5000, 'tasks per site-trace file before it rotates'),
      traceFilesMax: int(1, 100, 4, 'site-trace files kept (current plus rotated)'),
      traceFlushIntervalMs: int(100, 3600000, 5000, 'the current site-trace file is rewritten at most this often, ms'),
      siteLearning: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description:
          'retraining the running model from the site trace (enabled, everyRuns, episodes, minutes, windowTasks, ' +
          'heldOutFraction, traceTasksMax, workerHeapMb, modelsKeptMax; see runtime/scheduler/README.md)',
        properties: {
          enabled: {
            type: 'boolean',
            default: false,
            description: 'retrain from the site trace by itself every everyRuns completed runs',
          },
          everyRuns: int(10, 100000000, 2000, 'completed runs since the last retrain that start an automatic one'),
          episodes: int(0, 100000, 30, 'fine-tuning episodes per retrain'),
          minutes: {
            type: 'number',
            exclusiveMinimum: 0,
            maximum: 1440,
            default: 10,
            description: 'wall-time budget of the training, minutes (the worker is killed a while after it)',
          },
          windowTasks: int(10, 100000, 200, 'arrivals per trace window'),
          heldOutFraction: {
            type: 'number',
            exclusiveMinimum: 0,
            exclusiveMaximum: 1,
            default: 0.3,
            description: 'share of the windows (the newest) held out for the accept/reject comparison',
          },
          traceTasksMax: int(20, 1000000, 20000, 'newest trace tasks read for a retrain'),
          workerHeapMb: int(64, 16384, 384, 'V8 heap limit of the retrain worker process, MiB'),
          modelsKeptMax: int(1, 100, 3, 'accepted site models kept on disk (the active one is never deleted)'),
        },
      },
    },
  },
);

// Jobs (runtime/jobs): the params of jobs.submit and the retained state of a job. The runner owns the behaviour; the
// wire shapes live here so every message on the bus has a schema in one catalog.
import { capabilitySchema, idSchema, tsMsSchema } from './common.js';
import { type TaskDemand, taskDemandSchema } from './task-messages.js';

/** a job id leaves room for the step suffix of its task ids (`{jobId}.s{index}`, one topic level of <= 64) */
export const JOB_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,55}$';
/** hard bound of the schema; jobs.stepsPerJobMax (config) is the operational one */
export const JOB_STEPS_SCHEMA_MAX = 4096;
const ESTIMATE_MS_MAX = 7 * 24 * 3600 * 1000;

export const JOB_AGGREGATES = ['collect', 'sum', 'concat'] as const;
export type JobAggregate = (typeof JOB_AGGREGATES)[number];

/** where a step runs: this gateway's scheduler, or a cluster task placed by the leader on any member (runtime/jobs) */
export const JOB_STEP_WHERE = ['local', 'cluster'] as const;
export type JobStepWhere = (typeof JOB_STEP_WHERE)[number];

export interface JobStepSpec {
  id: string;
  capability: string;
  /** an object: a step with dependencies gets `{ ...input, from: { depId: result } }` */
  input?: Record<string, unknown> | undefined;
  dependsOn?: string[] | undefined;
  estDurationMs?: number | undefined;
  priority?: number | undefined;
  demand?: TaskDemand | undefined;
  timeoutMs?: number | undefined;
  /** 'local' (default): a task of this gateway's scheduler; 'cluster': a cluster task (cluster.tasks.submit) */
  where?: JobStepWhere | undefined;
}

export interface JobSubmitParams {
  /** client-chosen id; the same id with the same spec returns the existing job */
  jobId?: string | undefined;
  steps: JobStepSpec[];
  /** how the job's result is made from its steps' results (default collect) */
  aggregate?: JobAggregate | undefined;
  /** 'dependencies' (default): a step's input carries its dependencies' results under `from`; 'none': input as is */
  inputFrom?: 'dependencies' | 'none' | undefined;
  /** the default of every step's `where` (default local) */
  where?: JobStepWhere | undefined;
}

export const jobStepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'capability'],
  properties: {
    id: { ...idSchema, description: 'unique within the job' },
    capability: capabilitySchema,
    input: { type: 'object', description: 'handed to the agent, plus `from` with the dependencies results' },
    dependsOn: {
      type: 'array',
      maxItems: JOB_STEPS_SCHEMA_MAX,
      uniqueItems: true,
      items: idSchema,
      description: 'step ids that must be done first',
    },
    estDurationMs: {
      type: 'integer',
      minimum: 1,
      maximum: ESTIMATE_MS_MAX,
      description: 'ms at speed 1.0 (default 1000)',
    },
    priority: { type: 'integer', minimum: 0, maximum: 9 },
    demand: taskDemandSchema,
    timeoutMs: { type: 'integer', minimum: 1, maximum: ESTIMATE_MS_MAX, description: 'one attempt, ms' },
    where: {
      enum: [...JOB_STEP_WHERE],
      description:
        "local (default): this gateway's scheduler; cluster: a cluster task placed on any member's agent " +
        '(needs cluster.enabled; no demand or timeoutMs)',
    },
  },
};

export const jobSubmitSchema = {
  $id: 'agentos/v1/job-submit',
  title: 'job submission (params of jobs.submit)',
  type: 'object',
  additionalProperties: false,
  required: ['steps'],
  properties: {
    jobId: {
      type: 'string',
      pattern: JOB_ID_PATTERN,
      description: 'optional; a repeat with the same spec returns the job',
    },
    steps: { type: 'array', minItems: 1, maxItems: JOB_STEPS_SCHEMA_MAX, items: jobStepSchema },
    aggregate: { enum: [...JOB_AGGREGATES], description: 'collect (default), sum or concat of the final steps' },
    inputFrom: { enum: ['dependencies', 'none'], description: 'pass dependencies results as input.from (default)' },
    where: { enum: [...JOB_STEP_WHERE], description: "every step's where unless it gives its own (default local)" },
  },
};

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';
export type StepState = 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** published (retained) on agentos/v1/jobs/{jobId}/state at every change of the job or one of its steps */
export interface JobStateMessage {
  jobId: string;
  state: JobState;
  /** step id -> its state */
  steps: Record<string, StepState>;
  reason?: string | undefined;
  /** done only, when its JSON is small enough (else resultBytes says how large it is; jobs.get has it) */
  result?: unknown;
  resultBytes?: number | undefined;
  tsMs: number;
}

const stepStates = ['waiting', 'running', 'done', 'failed', 'skipped', 'cancelled'];

export const jobStateSchema = {
  $id: 'agentos/v1/job-state',
  title: 'job state (gateway, retained)',
  type: 'object',
  additionalProperties: false,
  required: ['jobId', 'state', 'steps', 'tsMs'],
  properties: {
    jobId: { type: 'string', pattern: JOB_ID_PATTERN },
    state: { enum: ['running', 'done', 'failed', 'cancelled'] },
    steps: {
      type: 'object',
      maxProperties: JOB_STEPS_SCHEMA_MAX,
      propertyNames: { maxLength: 64 },
      additionalProperties: { enum: stepStates },
    },
    reason: { type: 'string', maxLength: 2048 },
    result: {},
    resultBytes: { type: 'integer', minimum: 0 },
    tsMs: tsMsSchema,
  },
};

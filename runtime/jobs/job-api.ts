// The jobs' gateway API methods: jobs.submit, jobs.get, jobs.list, jobs.cancel (docs/PROTOCOL.md lists them with
// their params schemas). Registered in the component's constructor so the generated docs include them.
import type { ApiRouter } from '../bus/api-router.js';
import { ApiError } from '../bus/api-router.js';
import { JOB_ID_PATTERN, type JobState, type JobSubmitParams, jobSubmitSchema } from '../bus/schemas/job-messages.js';
import { type JobRecord, jobSummary } from './job-record.js';

export interface JobService {
  /** resolves once the job is on disk */
  submit(params: JobSubmitParams): Promise<{ job: JobRecord; created: boolean }>;
  get(jobId: string): JobRecord | undefined;
  list(): JobRecord[];
  cancel(jobId: string, reason: string): JobRecord;
}

const LIST_LIMIT_MAX = 1000;
const jobIdSchema = { type: 'string', pattern: JOB_ID_PATTERN };

export function registerJobMethods(api: ApiRouter, service: JobService): Array<() => void> {
  const { $id: _id, title: _title, ...submitParams } = jobSubmitSchema;
  return [
    api.register<JobSubmitParams>('jobs.submit', {
      summary:
        'submit a job: a DAG of steps, each run as a task once its dependencies are done (their results in input.from); ' +
        'answers { job, created } once stored; a repeated jobId with the same spec returns the job',
      params: submitParams,
      handler: async (p) => {
        const { job, created } = await service.submit(p);
        return { job: jobSummary(job), created };
      },
    }),
    api.register<{ jobId: string }>('jobs.get', {
      summary: 'one job with its steps (state, task id, result, reason) and its aggregated result',
      params: jobIdParams(),
      handler: ({ jobId }) => ({ job: found(service.get(jobId), jobId) }),
    }),
    api.register<{ state?: JobState; limit?: number }>('jobs.list', {
      summary: 'jobs known to the gateway, newest first, with step counts by state (no inputs or results)',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          state: { enum: ['running', 'done', 'failed', 'cancelled'] },
          limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, description: 'default 100' },
        },
      },
      handler: (p) => ({
        jobs: service
          .list()
          .filter((j) => p.state === undefined || j.state === p.state)
          .sort((a, b) => b.seq - a.seq)
          .slice(0, p.limit ?? 100)
          .map(jobSummary),
      }),
    }),
    api.register<{ jobId: string; reason?: string }>('jobs.cancel', {
      summary:
        'cancel a running job: its waiting steps are cancelled and its running tasks cancelled; a finished job is returned unchanged',
      params: {
        ...jobIdParams(),
        properties: { jobId: jobIdSchema, reason: { type: 'string', maxLength: 256 } },
      },
      handler: ({ jobId, reason }) => ({ job: jobSummary(service.cancel(jobId, reason ?? 'cancelled by request')) }),
    }),
  ];
}

function jobIdParams() {
  return { type: 'object', additionalProperties: false, required: ['jobId'], properties: { jobId: jobIdSchema } };
}

function found(job: JobRecord | undefined, jobId: string): JobRecord {
  if (!job) throw new ApiError('not_found', `no job ${jobId}`, 'params.jobId');
  return job;
}

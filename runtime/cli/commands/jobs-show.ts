// agentos jobs show ID: one job with its steps (state, task, result, reason) and its result, as JSON.
import type { JobRecord } from '../../jobs/job-record.js';
import { withApi } from '../api-options.js';
import { type CliIo, type ParsedArgs, UsageError } from '../command.js';

export async function runJobsShow(args: ParsedArgs, io: CliIo): Promise<number> {
  const [jobId, ...extra] = args.positionals;
  if (!jobId) throw new UsageError('jobs show needs a job id');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const { job } = await withApi(args, io.env, (api) => api.call<{ job: JobRecord }>('jobs.get', { jobId }));
  io.out(JSON.stringify(job, null, 2));
  return 0;
}

// agentos jobs cancel ID [--reason TEXT]: cancels a running job (its waiting steps, and the tasks of its running ones).
import { withApi } from '../api-options.js';
import { type CliIo, type ParsedArgs, UsageError } from '../command.js';

export async function runJobsCancel(args: ParsedArgs, io: CliIo): Promise<number> {
  const [jobId, ...extra] = args.positionals;
  if (!jobId) throw new UsageError('jobs cancel needs a job id');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const params: Record<string, unknown> = { jobId };
  if (typeof args.values['reason'] === 'string') params['reason'] = args.values['reason'];
  const { job } = await withApi(args, io.env, (api) =>
    api.call<{ job: { id: string; state: string } }>('jobs.cancel', params),
  );
  if (args.values['json']) io.out(JSON.stringify(job));
  else io.out(job.state === 'cancelled' ? `job ${job.id} cancelled` : `job ${job.id} already ${job.state}`);
  return 0;
}

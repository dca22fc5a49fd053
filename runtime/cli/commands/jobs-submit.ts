// agentos jobs submit FILE|-: submits the job spec in FILE (JSON; "-" reads stdin); with --wait, follows it to the
// end and prints its result (exit 1 when it failed or was cancelled). The gateway checks the spec and names a bad field.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord } from '../../jobs/job-record.js';
import { withApi } from '../api-options.js';
import { type CliIo, intOption, type ParsedArgs, UsageError } from '../command.js';

const POLL_MS = 200;
/** a job spec file larger than this is refused before it is sent (the broker refuses larger messages anyway) */
const SPEC_BYTES_MAX = 16 * 1024 * 1024;

async function readSpec(path: string): Promise<Record<string, unknown>> {
  const text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  if (text.length > SPEC_BYTES_MAX) throw new UsageError(`job spec ${path} is over ${SPEC_BYTES_MAX} bytes`);
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`job spec ${path} is not JSON: ${(err as Error).message}`);
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new UsageError(`job spec ${path} must be a JSON object with "steps"`);
  }
  return spec as Record<string, unknown>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    bytes += (chunk as Buffer).length;
    if (bytes > SPEC_BYTES_MAX) throw new UsageError(`job spec on stdin is over ${SPEC_BYTES_MAX} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function runJobsSubmit(args: ParsedArgs, io: CliIo): Promise<number> {
  const [path, ...extra] = args.positionals;
  if (!path) throw new UsageError('jobs submit needs a spec file, or - for stdin');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const spec = await readSpec(path);
  if (typeof args.values['id'] === 'string') spec['jobId'] = args.values['id'];
  const waitMs = intOption(args.values, 'wait-ms') ?? 600_000;
  const json = Boolean(args.values['json']);
  return withApi(args, io.env, async (api) => {
    const { job, created } = await api.call<{ job: JobRecord; created: boolean }>('jobs.submit', spec);
    if (!args.values['wait']) {
      io.out(
        json ? JSON.stringify({ job, created }) : `job ${job.id} ${created ? 'submitted' : `exists (${job.state})`}`,
      );
      return 0;
    }
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { job: j } = await api.call<{ job: JobRecord }>('jobs.get', { jobId: job.id });
      if (j.state !== 'running') {
        if (json) io.out(JSON.stringify(j));
        else if (j.state === 'done') io.out(JSON.stringify(j.result ?? null));
        else io.err(`job ${j.id} ${j.state}: ${j.reason ?? ''}`);
        return j.state === 'done' ? 0 : 1;
      }
      if (Date.now() > deadline) throw new Error(`job ${j.id}: still running after ${waitMs} ms`);
      await sleep(POLL_MS);
    }
  });
}

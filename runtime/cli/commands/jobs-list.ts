// agentos jobs list: the gateway's jobs, newest first, as a table (or --json).
import { withApi } from '../api-options.js';
import { type CliIo, intOption, type ParsedArgs, UsageError } from '../command.js';

interface JobRow {
  id: string;
  state: string;
  steps: number;
  stepStates: Record<string, number>;
  submittedAtMs: number;
}

function table(jobs: readonly JobRow[]): string[] {
  if (jobs.length === 0) return ['no jobs'];
  const rows = jobs.map((j) => [
    j.id,
    j.state,
    String(j.steps),
    Object.entries(j.stepStates)
      .map(([s, n]) => `${s}:${n}`)
      .join(' '),
    new Date(j.submittedAtMs).toISOString(),
  ]);
  const header = ['ID', 'STATE', 'STEPS', 'STEP STATES', 'SUBMITTED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export async function runJobsList(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const filter: Record<string, unknown> = {};
  if (typeof args.values['state'] === 'string') filter['state'] = args.values['state'];
  const limit = intOption(args.values, 'limit');
  if (limit !== undefined) filter['limit'] = limit;
  const { jobs } = await withApi(args, io.env, (api) => api.call<{ jobs: JobRow[] }>('jobs.list', filter));
  if (args.values['json']) io.out(JSON.stringify(jobs, null, 2));
  else for (const line of table(jobs)) io.out(line);
  return 0;
}

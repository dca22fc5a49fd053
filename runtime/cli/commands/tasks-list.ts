// agentos tasks list: the gateway's tasks, newest first, as a table (or --json).
import type { TaskRecord } from '../../scheduler/task-record.js';
import { withApi } from '../api-options.js';
import { type CliIo, intOption, type ParsedArgs, UsageError } from '../command.js';

function table(tasks: readonly TaskRecord[]): string[] {
  if (tasks.length === 0) return ['no tasks'];
  const rows = tasks.map((t) => [
    t.id,
    t.state,
    t.capability,
    t.attempts.at(-1)?.agentId ?? '-',
    String(t.attempts.length),
    new Date(t.submittedAtMs).toISOString(),
  ]);
  const header = ['ID', 'STATE', 'CAPABILITY', 'AGENT', 'ATTEMPTS', 'SUBMITTED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export async function runTasksList(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const filter: Record<string, unknown> = {};
  if (typeof args.values['state'] === 'string') filter['state'] = args.values['state'];
  if (typeof args.values['capability'] === 'string') filter['capability'] = args.values['capability'];
  if (typeof args.values['agent'] === 'string') filter['agentId'] = args.values['agent'];
  const limit = intOption(args.values, 'limit');
  if (limit !== undefined) filter['limit'] = limit;
  const { tasks } = await withApi(args, io.env, (api) => api.call<{ tasks: TaskRecord[] }>('tasks.list', filter));
  if (args.values['json']) io.out(JSON.stringify(tasks, null, 2));
  else for (const line of table(tasks)) io.out(line);
  return 0;
}

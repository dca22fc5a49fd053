// agentos tasks cancel ID [--reason TEXT]: cancels a queued, assigned or running task (its agent is told to stop).
import type { TaskRecord } from '../../scheduler/task-record.js';
import { withApi } from '../api-options.js';
import { type CliIo, type ParsedArgs, UsageError } from '../command.js';

export async function runTasksCancel(args: ParsedArgs, io: CliIo): Promise<number> {
  const [taskId, ...extra] = args.positionals;
  if (!taskId) throw new UsageError('tasks cancel needs a task id');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const params: Record<string, unknown> = { taskId };
  if (typeof args.values['reason'] === 'string') params['reason'] = args.values['reason'];
  const { task } = await withApi(args, io.env, (api) => api.call<{ task: TaskRecord }>('tasks.cancel', params));
  if (args.values['json']) io.out(JSON.stringify(task));
  else io.out(task.state === 'cancelled' ? `task ${task.id} cancelled` : `task ${task.id} already ${task.state}`);
  return 0;
}

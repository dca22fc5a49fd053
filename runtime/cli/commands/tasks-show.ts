// agentos tasks show ID: one task with its attempts, input and result, as JSON.
import type { TaskRecord } from '../../scheduler/task-record.js';
import { withApi } from '../api-options.js';
import { type CliIo, type ParsedArgs, UsageError } from '../command.js';

export async function runTasksShow(args: ParsedArgs, io: CliIo): Promise<number> {
  const [taskId, ...extra] = args.positionals;
  if (!taskId) throw new UsageError('tasks show needs a task id');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const { task } = await withApi(args, io.env, (api) => api.call<{ task: TaskRecord }>('tasks.get', { taskId }));
  io.out(JSON.stringify(task, null, 2));
  return 0;
}

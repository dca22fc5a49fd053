// agentos tasks submit CAPABILITY --est-ms MS ...: submits one task; with --wait, follows it to the end and prints
// its result (exit 1 when it failed, timed out or was cancelled). The gateway checks the task and names a bad field.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskSubmitParams } from '../../bus/schemas/task-messages.js';
import type { TaskRecord } from '../../scheduler/task-record.js';
import { withApi } from '../api-options.js';
import { type CliIo, intOption, type Options, type ParsedArgs, UsageError } from '../command.js';

export const submitOptions: Options = {
  'est-ms': { type: 'string' },
  cpu: { type: 'string' },
  'memory-mb': { type: 'string' },
  'bandwidth-kbps': { type: 'string' },
  priority: { type: 'string' },
  'deadline-ms': { type: 'string' },
  'task-timeout-ms': { type: 'string' },
  input: { type: 'string' },
  id: { type: 'string' },
  wait: { type: 'boolean' },
  'wait-ms': { type: 'string' },
};

export const submitHelp: Record<string, string> = {
  'est-ms MS': 'submit: estimated duration on an agent of speed 1.0 (required)',
  'cpu N': 'submit: cores the task holds (default 0)',
  'memory-mb N': 'submit: MiB the task holds (default 0)',
  'bandwidth-kbps N': 'submit: kbit/s the task holds (default 0)',
  'priority P': 'submit: 0 (default) .. 9',
  'deadline-ms MS': 'submit: must be done within MS from now, or it ends timed-out',
  'task-timeout-ms MS': 'submit: one attempt may run this long (default: scheduler.runTimeoutFactor x estimate)',
  'input JSON': 'submit: handed to the agent',
  'id ID': 'submit: choose the task id (a repeat returns the existing task)',
  wait: 'submit: follow the task until it ends and print its result',
  'wait-ms MS': 'submit --wait: give up following after this long (default 600000)',
};

const FINAL = new Set(['done', 'failed', 'timed-out', 'cancelled']);
const POLL_MS = 200;

function numberOption(values: ParsedArgs['values'], name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got "${String(v)}"`);
  return n;
}

function params(args: ParsedArgs): TaskSubmitParams {
  const [capability, ...extra] = args.positionals;
  if (!capability)
    throw new UsageError('tasks submit needs a capability, e.g. "tasks submit vision.detect --est-ms 500"');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const v = args.values;
  const estDurationMs = intOption(v, 'est-ms');
  if (estDurationMs === undefined) throw new UsageError('tasks submit needs --est-ms (estimated duration, ms)');
  const p: TaskSubmitParams = { capability, estDurationMs };
  const demand: Record<string, number> = {};
  for (const [opt, key] of [
    ['cpu', 'cpu'],
    ['memory-mb', 'memoryMb'],
    ['bandwidth-kbps', 'bandwidthKbps'],
  ] as const) {
    const n = numberOption(v, opt);
    if (n !== undefined) demand[key] = n;
  }
  if (Object.keys(demand).length > 0) p.demand = demand;
  const priority = intOption(v, 'priority');
  if (priority !== undefined) p.priority = priority;
  const deadlineIn = intOption(v, 'deadline-ms');
  if (deadlineIn !== undefined) p.deadlineMs = Date.now() + deadlineIn;
  const timeoutMs = intOption(v, 'task-timeout-ms');
  if (timeoutMs !== undefined) p.timeoutMs = timeoutMs;
  if (typeof v['id'] === 'string') p.taskId = v['id'];
  if (typeof v['input'] === 'string') {
    try {
      p.input = JSON.parse(v['input']);
    } catch (err) {
      throw new UsageError(`--input must be JSON: ${(err as Error).message}`);
    }
  }
  return p;
}

export async function runTasksSubmit(args: ParsedArgs, io: CliIo): Promise<number> {
  const p = params(args);
  const waitMs = intOption(args.values, 'wait-ms') ?? 600_000;
  return withApi(args, io.env, async (api) => {
    const { task, created } = await api.call<{ task: TaskRecord; created: boolean }>(
      'tasks.submit',
      p as unknown as Record<string, unknown>,
    );
    if (!args.values['wait']) {
      io.out(
        args.values['json']
          ? JSON.stringify({ task, created })
          : `task ${task.id} ${created ? 'queued' : `exists (${task.state})`}`,
      );
      return 0;
    }
    const deadline = Date.now() + waitMs;
    let last = '';
    for (;;) {
      const { task: t } = await api.call<{ task: TaskRecord }>('tasks.get', { taskId: task.id });
      const agent = t.attempts.at(-1)?.agentId;
      const line = `task ${t.id}: ${t.state}${agent && t.state !== 'queued' ? ` on ${agent}` : ''}`;
      if (line !== last && !args.values['json']) io.out(line);
      last = line;
      if (FINAL.has(t.state)) {
        if (args.values['json']) io.out(JSON.stringify(t));
        else if (t.state === 'done') io.out(JSON.stringify(t.result ?? null));
        else io.err(`task ${t.id} ${t.state}: ${t.reason ?? ''}`);
        return t.state === 'done' ? 0 : 1;
      }
      if (Date.now() > deadline) throw new Error(`task ${t.id}: still ${t.state} after ${waitMs} ms`);
      await sleep(POLL_MS);
    }
  });
}

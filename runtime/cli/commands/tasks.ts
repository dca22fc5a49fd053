// agentos tasks submit|list|show|cancel: the live task scheduler of a running gateway, over its MQTT API.
// Each subcommand lives in its own file (tasks-*.ts); this one holds the shared options and dispatches.
import { apiHelp, apiOptions } from '../api-options.js';
import { type CliCommand, pickSubcommand } from '../command.js';
import { runTasksCancel } from './tasks-cancel.js';
import { runTasksList } from './tasks-list.js';
import { runTasksShow } from './tasks-show.js';
import { runTasksSubmit, submitHelp, submitOptions } from './tasks-submit.js';

const subcommands = { submit: runTasksSubmit, list: runTasksList, show: runTasksShow, cancel: runTasksCancel };

export const tasksCommand: CliCommand = {
  name: 'tasks',
  summary:
    'Submit a task to the scheduler of a running gateway, list tasks, show one with its attempts and result, or cancel one.',
  usage:
    'submit CAPABILITY --est-ms MS [--cpu N] [--memory-mb N] [--bandwidth-kbps N] [--priority 0..9] [--input JSON] [--wait] | list [--state S] [--capability C] [--agent ID] [--limit N] | show ID | cancel ID [--reason TEXT]',
  help: {
    ...apiHelp,
    ...submitHelp,
    'state S': 'list: only tasks in this state (queued, assigned, running, done, failed, timed-out, cancelled)',
    'capability C': 'list: only tasks needing this capability',
    'agent ID': 'list: only tasks an agent worked on',
    'limit N': 'list: at most this many, newest first (default 100)',
    'reason TEXT': 'cancel: recorded with the task',
  },
  options: {
    ...apiOptions,
    ...submitOptions,
    state: { type: 'string' },
    capability: { type: 'string' },
    agent: { type: 'string' },
    limit: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(args, io) {
    const { run, rest } = pickSubcommand(subcommands, args, 'list');
    return run({ ...args, positionals: rest }, io);
  },
};

// agentos jobs submit|list|show|cancel: the jobs (DAGs of tasks) of a running gateway, over its MQTT API.
// Each subcommand lives in its own file (jobs-*.ts); this one holds the shared options and dispatches.
import { apiHelp, apiOptions } from '../api-options.js';
import { type CliCommand, pickSubcommand } from '../command.js';
import { runJobsCancel } from './jobs-cancel.js';
import { runJobsList } from './jobs-list.js';
import { runJobsShow } from './jobs-show.js';
import { runJobsSubmit } from './jobs-submit.js';

const subcommands = { submit: runJobsSubmit, list: runJobsList, show: runJobsShow, cancel: runJobsCancel };

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary:
    'Submit a job (a DAG of steps run as tasks) to a running gateway, list jobs, show one with its steps, or cancel one.',
  usage: 'submit FILE|- [--id ID] [--wait] | list [--state S] [--limit N] | show ID | cancel ID [--reason TEXT]',
  help: {
    ...apiHelp,
    'id ID': "submit: the job id (overrides the file's jobId; a repeat with the same spec returns the job)",
    wait: 'submit: follow the job until it ends and print its result (exit 1 unless done)',
    'wait-ms MS': 'submit --wait: give up following after this long (default 600000)',
    'state S': 'list: only jobs in this state (running, done, failed, cancelled)',
    'limit N': 'list: at most this many, newest first (default 100)',
    'reason TEXT': 'cancel: recorded with the job and its cancelled tasks',
  },
  options: {
    ...apiOptions,
    id: { type: 'string' },
    wait: { type: 'boolean' },
    'wait-ms': { type: 'string' },
    state: { type: 'string' },
    limit: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(args, io) {
    const { run, rest } = pickSubcommand(subcommands, args, 'list');
    return run({ ...args, positionals: rest }, io);
  },
};

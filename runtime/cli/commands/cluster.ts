// agentos cluster status|join|leave|transfer|state|submit: the Raft cluster of a running gateway, over its MQTT API.
// Any member answers: a follower forwards writes to the leader and adds the leader's view (with lag) to status.
import type { ApiClient } from '../../bus/api-client.js';
import { apiHelp, apiOptions, withApi } from '../api-options.js';
import { type CliCommand, type CliIo, type ParsedArgs, pickSubcommand, UsageError } from '../command.js';
import { printClusterStatus } from './cluster-status.js';

type Sub = (api: ApiClient, rest: string[], args: ParsedArgs, io: CliIo) => Promise<unknown>;

function need(rest: string[], n: number, what: string): string[] {
  if (rest.length !== n) throw new UsageError(`expected ${what}, got ${rest.length} argument(s)`);
  return rest;
}

const subcommands: Record<string, Sub> = {
  status: async (api, rest, args, io) => {
    need(rest, 0, 'no argument');
    const st = await api.call<Record<string, unknown>>('cluster.status', args.values['local'] ? { local: true } : {});
    if (args.values['json']) io.out(JSON.stringify(st, null, 2));
    else printClusterStatus(st, io);
    return undefined;
  },
  join: (api, rest) => {
    const [id, url] = need(rest, 2, 'ID BROKER_URL');
    return api.call('cluster.join', { id, url });
  },
  leave: (api, rest) => api.call('cluster.leave', { id: need(rest, 1, 'ID')[0] }),
  transfer: (api, rest) => api.call('cluster.transfer', { to: need(rest, 1, 'ID')[0] }),
  state: (api, rest, args) => {
    need(rest, 0, 'no argument');
    return api.call('cluster.state', args.values['stale'] ? { stale: true } : {});
  },
  submit: (api, rest, args) => {
    const [id, capability] = need(rest, 2, 'TASK_ID CAPABILITY');
    const priority = args.values['priority'] === undefined ? 0 : Number(args.values['priority']);
    if (!Number.isFinite(priority)) throw new UsageError('--priority must be a number');
    return api.call('cluster.tasks.submit', { id, capability, priority });
  },
};

export const clusterCommand: CliCommand = {
  name: 'cluster',
  summary:
    'The Raft cluster of a running gateway: status (members, leader, term, commit, lag), join, leave, transfer leadership, the replicated state, submit a cluster-level task.',
  usage:
    'status [--local] | join ID BROKER_URL | leave ID | transfer ID | state [--stale] | submit TASK_ID CAPABILITY [--priority N]',
  help: {
    ...apiHelp,
    'timeout-ms MS': 'give up after this long (default 15000: a call may wait for a commit or an election)',
    local: 'status: this node only (no leader view)',
    stale: 'state: skip the ReadIndex round (this node view, may lag)',
    'priority N': 'submit: 0..9, higher first',
  },
  options: { ...apiOptions, local: { type: 'boolean' }, stale: { type: 'boolean' }, priority: { type: 'string' } },
  async run(args, io) {
    const { run, rest } = pickSubcommand(subcommands, args, 'status');
    // cluster calls may wait for a commit or an election: a longer default than other commands
    const values = { ...args.values, 'timeout-ms': args.values['timeout-ms'] ?? '15000' };
    const result = await withApi({ ...args, values }, io.env, (api) => run(api, rest, args, io));
    if (result !== undefined) io.out(JSON.stringify(result, null, args.values['json'] ? 2 : undefined));
    return 0;
  },
};

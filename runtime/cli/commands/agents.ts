// agentos agents [list|show ID]: the agent table of a running gateway, over its MQTT API.
import type { AgentRecord } from '../../kernel/registry/agent-record.js';
import { apiHelp, apiOptions, withApi } from '../api-options.js';
import { type CliCommand, UsageError } from '../command.js';
import { isSupervisedSubcommand, runSupervised } from './agents-supervised.js';
import { runCredentials, storeHelp, storeOptions } from './credentials.js';

function table(agents: readonly AgentRecord[]): string[] {
  if (agents.length === 0) return ['no agents'];
  const rows = agents.map((a) => [a.id, a.kind, a.status, a.capabilities.join(',') || '-']);
  const header = ['ID', 'KIND', 'STATUS', 'CAPABILITIES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export const agentsCommand: CliCommand = {
  name: 'agents',
  summary:
    'List the agents of a running gateway, or show one. Supervised software agents: run DIR, stop|start|restart|remove NAME, logs NAME [LINES], ps.',
  usage:
    '[list [--kind K] [--status S] [--capability C] | show ID] [--url URL] | add ID [--grant F]... | rotate ID | revoke ID',
  help: {
    ...apiHelp,
    'kind KIND': 'list: only device, robot or software agents',
    'status STATUS': 'list: only online, busy, offline or failed agents',
    'capability NAME': 'list: only agents with this capability',
    ...storeHelp,
  },
  options: {
    ...apiOptions,
    ...storeOptions,
    kind: { type: 'string' },
    status: { type: 'string' },
    capability: { type: 'string' },
  },
  async run(args, io) {
    const [sub = 'list', id, ...extra] = args.positionals;
    if (isSupervisedSubcommand(sub)) return runSupervised(sub, args.positionals.slice(1), args, io);
    // credentials live in a file on this host, not behind the API (runtime/cli/commands/credentials.ts)
    if (sub === 'add' || sub === 'rotate' || sub === 'revoke') {
      return runCredentials(sub, args.positionals.slice(1), args, io, 'agent');
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'show') {
      if (!id) throw new UsageError('agents show needs an agent id');
      const { agent } = await withApi(args, io.env, (api) =>
        api.call<{ agent: AgentRecord }>('agents.get', { agentId: id }),
      );
      io.out(JSON.stringify(agent, null, 2));
      return 0;
    }
    if (sub !== 'list') throw new UsageError(`unknown subcommand "${sub}"; valid: list, show, add, rotate, revoke`);
    if (id) throw new UsageError(`unexpected argument "${id}"`);
    const filter: Record<string, unknown> = {};
    for (const key of ['kind', 'status', 'capability'])
      if (args.values[key] !== undefined) filter[key] = args.values[key];
    const { agents } = await withApi(args, io.env, (api) => api.call<{ agents: AgentRecord[] }>('agents.list', filter));
    if (args.values['json']) io.out(JSON.stringify(agents, null, 2));
    else for (const line of table(agents)) io.out(line);
    return 0;
  },
};

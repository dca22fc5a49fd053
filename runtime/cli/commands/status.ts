// agentos status: the health of a running gateway, over its MQTT API.
import { apiHelp, apiOptions, withApi } from '../api-options.js';
import { type CliCommand, UsageError } from '../command.js';

interface Health {
  gatewayId: string;
  status: string;
  uptimeMs: number;
  agents?: { total: number; online: number; busy: number; offline: number; failed: number };
  broker?: { mode: string; clients?: number; url?: string };
  [section: string]: unknown;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Show the health of a running gateway: uptime, agents by status, broker, store.',
  usage: '[--url URL] [--json]',
  help: apiHelp,
  options: apiOptions,
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const health = await withApi(args, io.env, (api) => api.call<Health>('health'));
    if (args.values['json']) {
      io.out(JSON.stringify(health, null, 2));
      return 0;
    }
    const a = health.agents;
    io.out(`gateway ${health.gatewayId}: ${health.status}, up ${(health.uptimeMs / 1000).toFixed(1)} s`);
    if (a) io.out(`agents: ${a.total} (online ${a.online}, busy ${a.busy}, offline ${a.offline}, failed ${a.failed})`);
    if (health.broker)
      io.out(
        `broker: ${health.broker.mode}${health.broker.clients !== undefined ? `, ${health.broker.clients} clients` : ''}`,
      );
    return 0;
  },
};

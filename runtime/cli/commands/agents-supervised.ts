// agentos agents run|stop|start|restart|remove|logs|ps: the supervised software agents of a running gateway, over its
// MQTT API (methods of runtime/kernel/supervisor/supervisor-endpoint.ts).
import { resolve } from 'node:path';
import type { AgentInfo } from '../../kernel/supervisor/agent-process.js';
import { withApi } from '../api-options.js';
import { type CliIo, type ParsedArgs, UsageError } from '../command.js';

export const SUPERVISED_SUBCOMMANDS = ['run', 'stop', 'start', 'restart', 'remove', 'logs', 'ps'] as const;
type Sub = (typeof SUPERVISED_SUBCOMMANDS)[number];

export function isSupervisedSubcommand(sub: string): sub is Sub {
  return (SUPERVISED_SUBCOMMANDS as readonly string[]).includes(sub);
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

export function psTable(agents: readonly AgentInfo[]): string[] {
  if (agents.length === 0) return ['no supervised agents'];
  const header = ['NAME', 'PID', 'STATUS', 'RESTARTS', 'CPU%', 'RSS_MIB', 'LIMIT_MIB', 'REASON'];
  const rows = agents.map((a) => [
    a.name,
    a.pid === null ? '-' : String(a.pid),
    a.status,
    String(a.restarts),
    a.pid === null ? '-' : a.cpuPct.toFixed(1),
    a.pid === null ? '-' : mib(a.rssBytes),
    String(a.memoryLimitMb),
    a.reason ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function oneLine(a: AgentInfo): string {
  const pid = a.pid === null ? '' : ` pid ${a.pid}`;
  return `${a.name}: ${a.status}${pid}${a.reason ? ` (${a.reason})` : ''}`;
}

export async function runSupervised(sub: Sub, rest: string[], args: ParsedArgs, io: CliIo): Promise<number> {
  const [target, ...extra] = rest;
  if (extra.length > (sub === 'logs' ? 1 : 0)) throw new UsageError(`unexpected argument "${extra.at(-1)}"`);
  const json = args.values['json'] === true;
  if (sub === 'ps') {
    if (target) throw new UsageError(`unexpected argument "${target}"`);
    const { agents } = await withApi(args, io.env, (api) => api.call<{ agents: AgentInfo[] }>('agents.ps'));
    for (const line of json ? [JSON.stringify(agents, null, 2)] : psTable(agents)) io.out(line);
    return 0;
  }
  if (!target) throw new UsageError(`agents ${sub} needs ${sub === 'run' ? 'an agent folder' : 'an agent name'}`);
  if (sub === 'logs') {
    const lines = extra[0] === undefined ? 100 : Number(extra[0]);
    if (!Number.isInteger(lines) || lines < 1)
      throw new UsageError(`LINES must be a positive integer, got "${extra[0]}"`);
    const r = await withApi(args, io.env, (api) =>
      api.call<{ lines: string[] }>('agents.logs', { name: target, lines }),
    );
    for (const l of r.lines) io.out(l);
    return 0;
  }
  if (sub === 'remove') {
    await withApi(args, io.env, (api) => api.call('agents.remove', { name: target }));
    io.out(`${target}: removed`);
    return 0;
  }
  const params = sub === 'run' ? { dir: resolve(target) } : { name: target };
  const { agent } = await withApi(args, io.env, (api) => api.call<{ agent: AgentInfo }>(`agents.${sub}`, params));
  io.out(json ? JSON.stringify(agent, null, 2) : oneLine(agent));
  return 0;
}

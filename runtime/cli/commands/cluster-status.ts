// The table `agentos cluster status` prints: this node's view, and the leader's view of each member's lag.
import type { CliIo } from '../command.js';

interface Member {
  id: string;
  url: string | null;
  voter: boolean;
  gateway: boolean;
  match?: number;
  lag?: number;
  state?: string;
}

export function printClusterStatus(st: Record<string, unknown>, io: CliIo): void {
  if (st['enabled'] === false) {
    io.out('cluster: not enabled on this gateway (cluster.enabled is false)');
    return;
  }
  const leaderView = st['leaderView'] as Record<string, unknown> | undefined;
  const view = leaderView && !('error' in leaderView) ? leaderView : st;
  io.out(
    `cluster ${String(st['clusterId'])}: node ${String(st['nodeId'])} is ${String(st['role'])}, ` +
      `leader ${String(st['leader'] ?? 'none')}, term ${String(st['term'])}, commit ${String(st['commit'])}, ` +
      `applied ${String(st['applied'])}${st['authenticated'] ? '' : ' (messages NOT authenticated)'}`,
  );
  if (leaderView && 'error' in leaderView) io.out(`leader view unavailable: ${String(leaderView['error'])}`);
  io.out('member       voter  lag     url');
  for (const m of (view['members'] as Member[] | undefined) ?? []) {
    const lag = m.id === view['nodeId'] ? 'leader' : m.lag === undefined ? '-' : String(m.lag);
    io.out(`${m.id.padEnd(12)} ${(m.voter ? 'yes' : 'no').padEnd(6)} ${lag.padEnd(7)} ${m.url ?? '-'}`);
  }
}

// Agent families, read from the agent table and resource accounting at scrape time. Counts by status and kind cover
// every agent; per-agent series cover at most `agentsMax` agents (lowest ids first, so the set is stable between
// scrapes) and the cut is itself a metric, so a truncated page is never mistaken for a complete one.
import type { AgentKind, AgentStatus, Resources } from '../../../drivers/driver.js';
import type { AgentUse } from '../../kernel/accounting/resource-accounting.js';
import type { AgentRecord } from '../../kernel/registry/agent-record.js';
import type { Exposition, Sample } from './exposition.js';

const KINDS: readonly AgentKind[] = ['device', 'robot', 'software'];
const STATUSES: readonly AgentStatus[] = ['online', 'busy', 'offline', 'failed'];
const MIB = 1048576;

export interface AgentSources {
  agents: () => readonly Readonly<AgentRecord>[];
  /** accounting's row: /proc samples of supervised agents, reported use, message totals */
  use: (agentId: string) => AgentUse | undefined;
  /** protocol.agentsMax: the table's capacity */
  tableMax: number;
  /** metrics.agentsMax */
  perAgentMax: number;
}

export function writeAgentMetrics(out: Exposition, s: AgentSources): void {
  const agents = s.agents();
  writeCounts(out, agents, s.tableMax);
  const chosen = [...agents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, s.perAgentMax);
  out.gauge(
    'agentos_metrics_agents_omitted',
    'agents left out of the per-agent series by metrics.agentsMax (counted in agentos_agents)',
    agents.length - chosen.length,
  );
  writePerAgent(out, chosen, s.use);
}

function writeCounts(out: Exposition, agents: readonly Readonly<AgentRecord>[], tableMax: number): void {
  const counts = new Map<string, number>();
  for (const a of agents) counts.set(`${a.kind}/${a.status}`, (counts.get(`${a.kind}/${a.status}`) ?? 0) + 1);
  // every combination, zeros included, so a series does not vanish when its last agent leaves
  const samples: Sample[] = [];
  for (const kind of KINDS) {
    for (const status of STATUSES) samples.push([{ kind, status }, counts.get(`${kind}/${status}`) ?? 0]);
  }
  out.metric('agentos_agents', 'gauge', 'agents in the table by kind and status', samples);
  out.gauge('agentos_agents_max', 'capacity of the agent table (protocol.agentsMax)', tableMax);
}

function writePerAgent(
  out: Exposition,
  agents: readonly Readonly<AgentRecord>[],
  useOf: (agentId: string) => AgentUse | undefined,
): void {
  const rows = agents.map((a) => ({ a, u: useOf(a.id) }));
  const each = (pick: (a: Readonly<AgentRecord>, u: AgentUse | undefined) => number | null | undefined): Sample[] => {
    const samples: Sample[] = [];
    for (const { a, u } of rows) {
      const v = pick(a, u);
      // unknown stays absent rather than 0: a sensor that reports no memory does not use none
      if (v !== null && v !== undefined && Number.isFinite(v)) samples.push([{ agent: a.id }, v]);
    }
    return samples;
  };
  const statusSamples: Sample[] = [];
  for (const { a } of rows) {
    for (const status of STATUSES)
      statusSamples.push([{ agent: a.id, kind: a.kind, status }, a.status === status ? 1 : 0]);
  }
  out.metric('agentos_agent_status', 'gauge', "one agent's status, 1 for the current one", statusSamples);
  const cap = (a: Readonly<AgentRecord>, key: keyof Resources) => a.capacity[key];
  out.metric(
    'agentos_agent_cpu_capacity_cores',
    'gauge',
    'cores the agent declared',
    each((a) => cap(a, 'cpu')),
  );
  out.metric(
    'agentos_agent_cpu_used_cores',
    'gauge',
    'cores in use: /proc samples of supervised agents, else what the agent reports in telemetry',
    each((a, u) => (u?.cpuPct != null ? u.cpuPct / 100 : a.use.cpu)),
  );
  out.metric(
    'agentos_agent_memory_capacity_bytes',
    'gauge',
    'memory the agent declared',
    each((a) => mib(cap(a, 'memoryMb'))),
  );
  out.metric(
    'agentos_agent_memory_used_bytes',
    'gauge',
    'memory in use: resident set of supervised agents, else what the agent reports in telemetry',
    each((a, u) => (u?.rssBytes != null ? u.rssBytes : mib(a.use.memoryMb))),
  );
  out.metric(
    'agentos_agent_bandwidth_capacity_bytes_per_second',
    'gauge',
    'link bandwidth the agent declared',
    each((a) => kbpsToBytes(cap(a, 'bandwidthKbps'))),
  );
  out.metric(
    'agentos_agent_battery_ratio',
    'gauge',
    'battery state of charge, 0..1, as last reported',
    each((a, u) => u?.battery ?? a.use.battery),
  );
  writeMessageCounters(out, each);
}

function writeMessageCounters(
  out: Exposition,
  each: (pick: (a: Readonly<AgentRecord>, u: AgentUse | undefined) => number | undefined) => Sample[],
): void {
  const help = ' since the gateway started';
  out.metric(
    'agentos_agent_messages_received_total',
    'counter',
    `messages from the agent on its topics${help}`,
    each((_a, u) => u?.msgsIn),
  );
  out.metric(
    'agentos_agent_messages_sent_total',
    'counter',
    `messages to the agent on its topics${help}`,
    each((_a, u) => u?.msgsOut),
  );
}

function mib(v: number | undefined): number | undefined {
  return v === undefined ? undefined : v * MIB;
}

function kbpsToBytes(v: number | undefined): number | undefined {
  return v === undefined ? undefined : (v * 1000) / 8;
}

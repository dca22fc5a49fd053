// One row of the agent table (the kernel's process table), as stored and as returned by the API.
import type { AgentKind, AgentStatus, Resources, Scalar } from '../../../drivers/driver.js';

export interface AgentRecord {
  id: string;
  kind: AgentKind;
  capabilities: string[];
  /** what the agent has */
  capacity: Partial<Resources>;
  /** what it uses now, from telemetry */
  use: Partial<Resources>;
  metadata: Record<string, Scalar>;
  status: AgentStatus;
  statusReason: string | null;
  /** reported properties */
  state: Record<string, unknown>;
  /** last value of each telemetry key */
  telemetry: Record<string, Scalar>;
  registeredAtMs: number;
  updatedAtMs: number;
  /** last message from the agent (not persisted as a change by itself) */
  lastSeenMs: number;
  lastTelemetryMs: number | null;
}

export interface AgentFilter {
  kind?: AgentKind | undefined;
  status?: AgentStatus | undefined;
  capability?: string | undefined;
}

export function matchesFilter(agent: AgentRecord, filter: AgentFilter): boolean {
  if (filter.kind !== undefined && agent.kind !== filter.kind) return false;
  if (filter.status !== undefined && agent.status !== filter.status) return false;
  if (filter.capability !== undefined && !agent.capabilities.includes(filter.capability)) return false;
  return true;
}

export type AgentChangeType = 'registered' | 'status' | 'telemetry' | 'state';

export interface AgentChange {
  type: AgentChangeType;
  agent: Readonly<AgentRecord>;
  /** for status changes */
  previousStatus?: AgentStatus | undefined;
}

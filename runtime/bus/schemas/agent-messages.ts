// Messages an agent publishes about itself: hello (register), heartbeat, status, telemetry, state.
import type { AgentKind, AgentStatus, Resources, Scalar } from '../../../drivers/driver.js';
import { capabilitySchema, requestIdSchema, resourcesSchema, scalarMapSchema, tsMsSchema } from './common.js';

export interface HelloMessage {
  kind: AgentKind;
  capabilities?: string[] | undefined;
  capacity?: Partial<Resources> | undefined;
  metadata?: Record<string, Scalar> | undefined;
}

export const helloSchema = {
  $id: 'agentos/v1/hello',
  title: 'hello (register)',
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: ['device', 'robot', 'software'] },
    capabilities: { type: 'array', maxItems: 64, uniqueItems: true, items: capabilitySchema },
    capacity: resourcesSchema,
    metadata: scalarMapSchema,
  },
};

export type HeartbeatMessage = { tsMs?: number | undefined };

export const heartbeatSchema = {
  $id: 'agentos/v1/heartbeat',
  title: 'heartbeat (an empty payload is allowed)',
  type: 'object',
  additionalProperties: false,
  properties: { tsMs: tsMsSchema },
};

export interface StatusMessage {
  status: AgentStatus;
  reason?: string | undefined;
  /** "gateway" marks the gateway's authoritative retained copy; agents send "agent" or nothing */
  source?: 'agent' | 'gateway' | undefined;
  tsMs?: number | undefined;
}

export const statusSchema = {
  $id: 'agentos/v1/status',
  title: 'status (retained; also the agent last will)',
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { enum: ['online', 'busy', 'offline', 'failed'] },
    reason: { type: 'string', maxLength: 256 },
    source: { enum: ['agent', 'gateway'] },
    tsMs: tsMsSchema,
  },
};

export interface TelemetryMessage {
  /** set by the SDK's durable outbox; the gateway drops a repeat of an id it has seen (runtime/kernel/dedup) */
  msgId?: string | undefined;
  tsMs?: number | undefined;
  values?: Record<string, Scalar> | undefined;
  use?: Partial<Resources> | undefined;
}

export const telemetrySchema = {
  $id: 'agentos/v1/telemetry',
  title: 'telemetry',
  type: 'object',
  additionalProperties: false,
  properties: {
    msgId: requestIdSchema,
    tsMs: tsMsSchema,
    values: scalarMapSchema,
    use: { ...resourcesSchema, description: 'resources in use now' },
  },
};

export interface StateMessage {
  /** set by the SDK's durable outbox; repeats are dropped */
  msgId?: string | undefined;
  state: Record<string, unknown>;
  /** true: the state replaces the stored one; default: merged key by key */
  replace?: boolean | undefined;
}

export const stateSchema = {
  $id: 'agentos/v1/state',
  title: 'state (reported properties)',
  type: 'object',
  additionalProperties: false,
  required: ['state'],
  properties: {
    msgId: requestIdSchema,
    state: { type: 'object', maxProperties: 256, propertyNames: { maxLength: 128 } },
    replace: { type: 'boolean' },
  },
};

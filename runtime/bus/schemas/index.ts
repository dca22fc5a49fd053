// The catalog of every message on the bus: its topic, who publishes it, its schema and an example. docs/PROTOCOL.md
// is generated from this list (scripts/gen-protocol-doc.ts) and a test checks the doc is current.
import { heartbeatSchema, helloSchema, stateSchema, statusSchema, telemetrySchema } from './agent-messages.js';
import { apiReplySchema, apiRequestSchema, errorMessageSchema, gatewayStatusSchema } from './api-messages.js';
import { commandReplySchema, commandSchema } from './command-messages.js';
import type { JsonSchema } from './common.js';
import { haCommandSchema, haStateSchema } from './ha-messages.js';
import { jobStateSchema } from './job-messages.js';
import {
  mailboxAckSchema,
  mailboxSendSchema,
  mailboxSentSchema,
  storageReplySchema,
  storageRequestSchema,
} from './kernel-messages.js';
import { mailboxSchema } from './mailbox-messages.js';
import { taskAssignSchema, taskStateSchema, taskUpdateSchema } from './task-messages.js';

export interface MessageSpec {
  /** topic pattern; {agentId}, {gatewayId}, {method} are one topic level */
  topic: string;
  publisher: 'agent' | 'gateway' | 'agent or gateway' | 'client' | 'any';
  retained: boolean;
  /** QoS the publisher should use */
  qos: 0 | 1;
  summary: string;
  schema: JsonSchema;
  example: unknown;
}

export const messages = {
  hello: {
    topic: 'agentos/v1/agents/{agentId}/hello',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary: 'Register (or re-register) the agent; the gateway answers with its retained status, or an error.',
    schema: helloSchema,
    example: { kind: 'device', capabilities: ['light.set'], capacity: { cpu: 0.1 }, metadata: { room: 'kitchen' } },
  },
  heartbeat: {
    topic: 'agentos/v1/agents/{agentId}/heartbeat',
    publisher: 'agent',
    retained: false,
    qos: 0,
    summary: 'I am alive. Any message from the agent counts as one; send this when there is nothing else to say.',
    schema: heartbeatSchema,
    example: {},
  },
  status: {
    topic: 'agentos/v1/agents/{agentId}/status',
    publisher: 'agent or gateway',
    retained: true,
    qos: 1,
    summary:
      'Agent status. Agents set their MQTT last will here ({"status":"offline"}, retained) and may report busy/failed; ' +
      'the gateway republishes the authoritative status retained with "source":"gateway".',
    schema: statusSchema,
    example: { status: 'offline', reason: 'connection lost' },
  },
  telemetry: {
    topic: 'agentos/v1/agents/{agentId}/telemetry',
    publisher: 'agent',
    retained: false,
    qos: 0,
    summary: 'Measured values and current resource use.',
    schema: telemetrySchema,
    example: { values: { brightness: 80, powerW: 7.5 }, use: { cpu: 0.02 } },
  },
  state: {
    topic: 'agentos/v1/agents/{agentId}/state',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary: 'Reported properties, merged key by key into the stored state (or replacing it with "replace": true).',
    schema: stateSchema,
    example: { state: { on: true, brightness: 80 } },
  },
  command: {
    topic: 'agentos/v1/agents/{agentId}/cmd',
    publisher: 'gateway',
    retained: false,
    qos: 1,
    summary: 'A command for the agent; answer on cmd/reply with the same requestId before timeoutMs.',
    schema: commandSchema,
    example: { requestId: 'gw-1-42', name: 'light.set', params: { on: true }, timeoutMs: 5000 },
  },
  commandReply: {
    topic: 'agentos/v1/agents/{agentId}/cmd/reply',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary: 'The result of a command.',
    schema: commandReplySchema,
    example: { requestId: 'gw-1-42', ok: true, code: 0, result: { on: true } },
  },
  taskAssign: {
    topic: 'agentos/v1/agents/{agentId}/task/assign',
    publisher: 'gateway',
    retained: false,
    qos: 1,
    summary: 'The scheduler places a task on the agent.',
    schema: taskAssignSchema,
    example: { taskId: 't-17', capability: 'vision.detect', input: { image: 'cam1/last.jpg' }, timeoutMs: 30000 },
  },
  taskUpdate: {
    topic: 'agentos/v1/agents/{agentId}/task/update',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary: 'Progress and result of an assigned task.',
    schema: taskUpdateSchema,
    example: { taskId: 't-17', state: 'done', progress: 1, result: { objects: 3 } },
  },
  taskState: {
    topic: 'agentos/v1/tasks/{taskId}/state',
    publisher: 'gateway',
    retained: true,
    qos: 1,
    summary:
      'Every transition of a submitted task (queued, assigned, running, done, failed, timed-out, cancelled; a re-queue ' +
      'after a lost attempt is "queued" with a reason). Retained while the gateway keeps the task; cleared (empty ' +
      'retained payload) when it drops a finished task. Subscribe to agentos/v1/tasks/+/state to follow all.',
    schema: taskStateSchema,
    example: {
      taskId: 't-mf3k2a-1',
      state: 'done',
      capability: 'vision.detect',
      attempts: 1,
      agentId: 'cam-1',
      result: { objects: 3 },
      tsMs: 1764000000000,
    },
  },
  jobState: {
    topic: 'agentos/v1/jobs/{jobId}/state',
    publisher: 'gateway',
    retained: true,
    qos: 1,
    summary:
      'A job (runtime/jobs) and the state of each of its steps, at every change; the result when done (inline up to ' +
      '16 KiB, else resultBytes; jobs.get has it). Retained while the gateway keeps the job; cleared (empty retained ' +
      'payload) when it drops a finished job. Its steps run as tasks {jobId}.s{index}.',
    schema: jobStateSchema,
    example: {
      jobId: 'nightly-1',
      state: 'done',
      steps: { fetch: 'done', left: 'done', right: 'done', merge: 'done' },
      result: { steps: { fetch: 3, left: 6, right: 9, merge: 15 } },
      tsMs: 1764000000000,
    },
  },
  mailbox: {
    topic: 'agentos/v1/agents/{agentId}/mailbox',
    publisher: 'any',
    retained: false,
    qos: 1,
    summary: 'A message for the agent from another agent or an operator.',
    schema: mailboxSchema,
    example: { messageId: 'm-1', from: 'robot-2', subject: 'handover', body: { bin: 4 } },
  },
  mailboxSend: {
    topic: 'agentos/v1/agents/{agentId}/mailbox/send',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary:
      'Send a message to one agent (to) or every agent with a capability; kept in the recipient mailbox until it acks. ' +
      'A repeat of a messageId is accepted once. The outcome comes back on mailbox/sent.',
    schema: mailboxSendSchema,
    example: { messageId: 'm-1', to: 'robot-2', subject: 'handover', body: { bin: 4 } },
  },
  mailboxSent: {
    topic: 'agentos/v1/agents/{agentId}/mailbox/sent',
    publisher: 'gateway',
    retained: false,
    qos: 1,
    summary: 'The outcome of a mailbox/send: the recipients that accepted it, or an error (not_found, limit_reached).',
    schema: mailboxSentSchema,
    example: { messageId: 'm-1', ok: true, to: ['robot-2'] },
  },
  mailboxAck: {
    topic: 'agentos/v1/agents/{agentId}/mailbox/ack',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary: 'These delivered messages were handled; they leave the agent mailbox (unacked ones are delivered again).',
    schema: mailboxAckSchema,
    example: { messageIds: ['m-1'] },
  },
  storageRequest: {
    topic: 'agentos/v1/agents/{agentId}/storage/req',
    publisher: 'agent',
    retained: false,
    qos: 1,
    summary: 'A call on the agent own storage (kv.get/set/delete/keys, file.write/read/delete/list, usage).',
    schema: storageRequestSchema,
    example: { requestId: 's-1', op: 'kv.set', key: 'mode', value: { eco: true } },
  },
  storageReply: {
    topic: 'agentos/v1/agents/{agentId}/storage/reply',
    publisher: 'gateway',
    retained: false,
    qos: 1,
    summary: 'The result of a storage request, or an error naming the field (limit_reached when over quota).',
    schema: storageReplySchema,
    example: { requestId: 's-1', ok: true, result: {} },
  },
  agentError: {
    topic: 'agentos/v1/agents/{agentId}/error',
    publisher: 'gateway',
    retained: false,
    qos: 0,
    summary: 'The gateway refused a message the agent sent; names the field.',
    schema: errorMessageSchema,
    example: {
      error: { code: 'bad_message', message: 'capacity.cpu: must be >= 0', field: 'capacity.cpu' },
      topic: 'agentos/v1/agents/lamp-1/hello',
      gatewayId: 'gw-1',
      tsMs: 1764000000000,
    },
  },
  apiRequest: {
    topic: 'agentos/v1/api/{method} or agentos/v1/gateways/{gatewayId}/api/{method}',
    publisher: 'client',
    retained: false,
    qos: 1,
    summary: 'Call a gateway API method; the reply goes to replyTo with the same id.',
    schema: apiRequestSchema,
    example: { id: 'c-1', replyTo: 'agentos/v1/replies/cli-1234', params: { status: 'online' } },
  },
  apiReply: {
    topic: '{replyTo of the request} (below agentos/v1/replies/)',
    publisher: 'gateway',
    retained: false,
    qos: 1,
    summary: 'The result of an API call, or an error naming the field.',
    schema: apiReplySchema,
    example: { id: 'c-1', ok: true, result: { agents: [] } },
  },
  error: {
    topic: 'agentos/v1/errors',
    publisher: 'gateway',
    retained: false,
    qos: 0,
    summary: 'Errors about messages that cannot be answered elsewhere (e.g. an API request without a usable replyTo).',
    schema: errorMessageSchema,
    example: {
      error: { code: 'bad_json', message: 'Unexpected token } in JSON at position 9' },
      topic: 'agentos/v1/api/agents.list',
      gatewayId: 'gw-1',
      tsMs: 1764000000000,
    },
  },
  haState: {
    topic: 'agentos/v1/ha/{agentId}/state',
    publisher: 'gateway',
    retained: true,
    qos: 0,
    summary:
      'With homeAssistant.enabled: the values Home Assistant entities read (their value_template picks one key). ' +
      'Discovery configs go to <discoveryPrefix>/<component>/agentos_<gatewayId>_<agentId>/<object>/config.',
    schema: haStateSchema,
    example: { status: 'online', values: { temperature: 21.5, relay: true }, updatedAtMs: 1764000000000 },
  },
  haCommand: {
    topic: 'agentos/v1/ha/{agentId}/set/{command}',
    publisher: 'client',
    retained: false,
    qos: 1,
    summary:
      "A Home Assistant control: the gateway sends the agent command it was announced for (switch: the command's " +
      'one boolean parameter; number: its one numeric parameter; button: no parameter). Needs the homeassistant role.',
    schema: haCommandSchema,
    example: 'ON',
  },
  gatewayStatus: {
    topic: 'agentos/v1/gateways/{gatewayId}/status',
    publisher: 'gateway',
    retained: true,
    qos: 1,
    summary: 'The gateway is online; its last will (or a clean stop) says offline.',
    schema: gatewayStatusSchema,
    example: { status: 'online', gatewayId: 'gw-1', tsMs: 1764000000000 },
  },
} satisfies Record<string, MessageSpec>;

export type MessageName = keyof typeof messages;

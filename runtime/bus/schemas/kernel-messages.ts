// Wire shapes of the agent kernel's services over MQTT: storage requests and replies, mailbox send/ack and the
// gateway's confirmation of a send. runtime/kernel owns the behaviour (kernel/storage, kernel/mailbox); the SDK and
// device makers in C or Python read the same schemas (docs/PROTOCOL.md).
import type { ErrorBody } from './api-messages.js';
import { capabilitySchema, errorBodySchema, idSchema, requestIdSchema } from './common.js';

export const STORAGE_OPS = [
  'kv.get',
  'kv.set',
  'kv.delete',
  'kv.keys',
  'file.write',
  'file.read',
  'file.delete',
  'file.list',
  'usage',
] as const;
export type StorageOp = (typeof STORAGE_OPS)[number];

/** which fields each op needs (checked by the storage service, naming the missing field) */
export const STORAGE_OP_FIELDS: Record<StorageOp, readonly ('key' | 'value' | 'path' | 'data')[]> = {
  'kv.get': ['key'],
  'kv.set': ['key', 'value'],
  'kv.delete': ['key'],
  'kv.keys': [],
  'file.write': ['path', 'data'],
  'file.read': ['path'],
  'file.delete': ['path'],
  'file.list': [],
  usage: [],
};

export interface StorageRequestMessage {
  requestId: string;
  op: StorageOp;
  key?: string | undefined;
  value?: unknown;
  /** kv.keys: only keys starting with this */
  prefix?: string | undefined;
  /** file.*: relative path inside the agent's files area */
  path?: string | undefined;
  /** file.write: content, base64 */
  data?: string | undefined;
}

export const storageRequestSchema = {
  $id: 'agentos/v1/storage-request',
  title: 'storage request (agent to gateway)',
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'op'],
  properties: {
    requestId: requestIdSchema,
    op: { enum: [...STORAGE_OPS] },
    key: { type: 'string', minLength: 1, maxLength: 256 },
    value: {},
    prefix: { type: 'string', maxLength: 256 },
    path: { type: 'string', maxLength: 1024 },
    data: { type: 'string', maxLength: 11184812, contentEncoding: 'base64' },
  },
};

export interface StorageReplyMessage {
  requestId: string;
  ok: boolean;
  result?: unknown;
  error?: ErrorBody | undefined;
}

export const storageReplySchema = {
  $id: 'agentos/v1/storage-reply',
  title: 'storage reply (gateway to agent)',
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'ok'],
  properties: {
    requestId: requestIdSchema,
    ok: { type: 'boolean' },
    result: {},
    error: errorBodySchema,
  },
};

export interface MailboxSendMessage {
  /** the sender's id for the message; a resend with the same id is accepted once */
  messageId: string;
  to?: string | undefined;
  capability?: string | undefined;
  subject?: string | undefined;
  body?: unknown;
  expectsReply?: boolean | undefined;
  inReplyTo?: string | undefined;
  /** a request: how long the sender waits for the reply, ms */
  timeoutMs?: number | undefined;
}

export const mailboxSendSchema = {
  $id: 'agentos/v1/mailbox-send',
  title: 'mailbox send (agent to gateway): to one agent by id, or to every agent with a capability',
  type: 'object',
  additionalProperties: false,
  required: ['messageId'],
  oneOf: [{ required: ['to'] }, { required: ['capability'] }],
  properties: {
    messageId: requestIdSchema,
    to: idSchema,
    capability: capabilitySchema,
    subject: { type: 'string', maxLength: 256 },
    body: {},
    expectsReply: { type: 'boolean' },
    inReplyTo: requestIdSchema,
    timeoutMs: { type: 'integer', minimum: 1, maximum: 300000 },
  },
};

export interface MailboxAckMessage {
  messageIds: string[];
}

export const mailboxAckSchema = {
  $id: 'agentos/v1/mailbox-ack',
  title: 'mailbox ack (agent to gateway): these delivered messages were handled and may leave the queue',
  type: 'object',
  additionalProperties: false,
  required: ['messageIds'],
  properties: { messageIds: { type: 'array', minItems: 1, maxItems: 1000, items: requestIdSchema } },
};

export interface MailboxSentMessage {
  messageId: string;
  ok: boolean;
  /** recipients that accepted the message into their mailbox */
  to?: string[] | undefined;
  error?: ErrorBody | undefined;
}

export const mailboxSentSchema = {
  $id: 'agentos/v1/mailbox-sent',
  title: 'mailbox sent (gateway to agent): the outcome of a mailbox send',
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'ok'],
  properties: {
    messageId: requestIdSchema,
    ok: { type: 'boolean' },
    to: { type: 'array', maxItems: 10000, items: idSchema },
    error: errorBodySchema,
  },
};

// A command from the gateway to an agent and the agent's reply, matched by requestId.
import { requestIdSchema } from './common.js';

export interface CommandMessage {
  requestId: string;
  name: string;
  params: Record<string, unknown>;
  timeoutMs: number;
}

export const commandSchema = {
  $id: 'agentos/v1/command',
  title: 'command (gateway to agent)',
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'name', 'params', 'timeoutMs'],
  properties: {
    requestId: requestIdSchema,
    name: { type: 'string', minLength: 1, maxLength: 64 },
    params: { type: 'object', maxProperties: 256 },
    timeoutMs: { type: 'integer', minimum: 1, description: 'the gateway gives up after this' },
  },
};

export interface CommandReplyMessage {
  requestId: string;
  ok: boolean;
  /** device-defined result code; 0 = success */
  code?: number | undefined;
  result?: unknown;
  error?: string | undefined;
}

export const commandReplySchema = {
  $id: 'agentos/v1/command-reply',
  title: 'command reply (agent to gateway)',
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'ok'],
  properties: {
    requestId: requestIdSchema,
    ok: { type: 'boolean' },
    code: { type: 'integer' },
    result: {},
    error: { type: 'string', maxLength: 2048 },
  },
};

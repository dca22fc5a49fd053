// The gateway API over MQTT: a request names its correlation id and the topic to answer on; the reply carries the id.
// Errors about agent messages and unanswerable requests use errorMessageSchema.
import { errorBodySchema, requestIdSchema, tsMsSchema } from './common.js';

export interface ApiRequest {
  /** correlation id, echoed in the reply */
  id: string;
  /** topic to answer on; must start with agentos/v1/replies/ */
  replyTo: string;
  params?: Record<string, unknown> | undefined;
}

export const apiRequestSchema = {
  $id: 'agentos/v1/api-request',
  title: 'API request',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'replyTo'],
  properties: {
    id: requestIdSchema,
    replyTo: { type: 'string', pattern: '^agentos/v1/replies/[^+#]+$', maxLength: 256 },
    params: { type: 'object' },
  },
};

export type ErrorCode =
  | 'bad_json'
  | 'bad_message'
  | 'too_large'
  | 'not_registered'
  | 'not_found'
  | 'unknown_method'
  | 'limit_reached'
  | 'timeout'
  | 'unavailable'
  | 'internal';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string | undefined;
}

export type ApiReply = { id: string; ok: true; result: unknown } | { id: string; ok: false; error: ErrorBody };

export const apiReplySchema = {
  $id: 'agentos/v1/api-reply',
  title: 'API reply',
  type: 'object',
  required: ['id', 'ok'],
  oneOf: [
    {
      additionalProperties: false,
      required: ['result'],
      properties: { id: requestIdSchema, ok: { const: true }, result: {} },
    },
    {
      additionalProperties: false,
      required: ['error'],
      properties: { id: requestIdSchema, ok: { const: false }, error: errorBodySchema },
    },
  ],
};

export interface ErrorMessage {
  error: ErrorBody;
  /** the topic of the message that was refused */
  topic: string;
  /** correlation or request id of the refused message, when it could be read */
  requestId?: string | undefined;
  gatewayId: string;
  tsMs: number;
}

export const errorMessageSchema = {
  $id: 'agentos/v1/error',
  title: 'error (a refused message)',
  type: 'object',
  additionalProperties: false,
  required: ['error', 'topic', 'gatewayId', 'tsMs'],
  properties: {
    error: errorBodySchema,
    topic: { type: 'string', maxLength: 65535 },
    requestId: requestIdSchema,
    gatewayId: { type: 'string' },
    tsMs: tsMsSchema,
  },
};

export interface GatewayStatusMessage {
  status: 'online' | 'offline';
  gatewayId: string;
  tsMs?: number | undefined;
}

export const gatewayStatusSchema = {
  $id: 'agentos/v1/gateway-status',
  title: 'gateway status (retained; the gateway last will says offline)',
  type: 'object',
  additionalProperties: false,
  required: ['status', 'gatewayId'],
  properties: {
    status: { enum: ['online', 'offline'] },
    gatewayId: { type: 'string' },
    tsMs: tsMsSchema,
  },
};

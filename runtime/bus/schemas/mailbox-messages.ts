// A message delivered to an agent's mailbox (agent to agent, or operator to agent). runtime/kernel/mailbox owns
// storage and delivery; this is the wire shape.
import { idSchema, requestIdSchema, tsMsSchema } from './common.js';

export interface MailboxMessage {
  messageId: string;
  from: string;
  tsMs?: number | undefined;
  subject?: string | undefined;
  body: unknown;
  /** a request: answer with a mailbox/send carrying inReplyTo = this messageId */
  expectsReply?: boolean | undefined;
  /** this message answers the request with that messageId */
  inReplyTo?: string | undefined;
  /** a request's requester stops waiting at this Unix time, ms */
  expiresAtMs?: number | undefined;
}

export const mailboxSchema = {
  $id: 'agentos/v1/mailbox',
  title: 'mailbox message',
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'from', 'body'],
  properties: {
    messageId: requestIdSchema,
    from: idSchema,
    tsMs: tsMsSchema,
    subject: { type: 'string', maxLength: 256 },
    body: {},
    expectsReply: { type: 'boolean' },
    inReplyTo: requestIdSchema,
    expiresAtMs: tsMsSchema,
  },
};

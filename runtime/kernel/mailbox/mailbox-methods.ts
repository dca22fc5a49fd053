// Operator access to the mailboxes on the gateway API: send a message to an agent (or to every agent with a
// capability) and make a request that waits for the agent's reply. The sender is the gateway itself.
import { ApiError, type ApiRouter } from '../../bus/api-router.js';
import { MailboxError } from './envelope.js';
import type { Mailboxes } from './mailboxes.js';

const target = {
  to: { type: 'string', minLength: 1, maxLength: 64 },
  capability: { type: 'string', minLength: 1, maxLength: 64 },
  subject: { type: 'string', maxLength: 256 },
  body: {},
};

function rethrow(err: unknown): never {
  if (err instanceof MailboxError) throw new ApiError(err.code, err.message);
  throw err;
}

export function registerMailboxMethods(api: ApiRouter, mailboxes: Mailboxes, gatewayId: string): Array<() => void> {
  return [
    api.register<{ to?: string; capability?: string; subject?: string; body?: unknown }>('mailbox.send', {
      summary: 'leave a message in an agent mailbox (to), or in every mailbox of agents with a capability',
      params: {
        type: 'object',
        additionalProperties: false,
        oneOf: [{ required: ['to'] }, { required: ['capability'] }],
        properties: target,
      },
      handler: (p) => {
        try {
          const input = { from: gatewayId, body: p.body ?? null, subject: p.subject };
          if (p.to !== undefined)
            return { sent: [{ to: p.to, messageId: mailboxes.send({ ...input, to: p.to }).messageId }] };
          return mailboxes.sendToCapability({ ...input, capability: p.capability! });
        } catch (err) {
          rethrow(err);
        }
      },
    }),
    api.register<{ to: string; subject?: string; body?: unknown; timeoutMs: number }>('mailbox.request', {
      summary: 'send a request to an agent mailbox and wait for its reply',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['to', 'timeoutMs'],
        properties: { ...target, timeoutMs: { type: 'integer', minimum: 1, maximum: 300000 } },
      },
      handler: async (p) => {
        try {
          const reply = await mailboxes.request({
            from: gatewayId,
            to: p.to,
            subject: p.subject,
            body: p.body ?? null,
            timeoutMs: p.timeoutMs,
          });
          return { reply: { messageId: reply.messageId, from: reply.from, body: reply.body } };
        } catch (err) {
          rethrow(err);
        }
      },
    }),
  ];
}

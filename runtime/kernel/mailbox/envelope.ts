// A message between agents as the kernel stores and routes it. `inReplyTo` makes it the reply to an earlier
// request; `expectsReply` marks a request so the recipient's SDK knows to answer.

export interface MailEnvelope {
  /** unique per sender; redeliveries carry the same id so recipients drop duplicates */
  messageId: string;
  /** sender agent id, or the gateway's id for operator and kernel messages */
  from: string;
  to: string;
  /** Unix time, ms, when the gateway accepted it */
  tsMs: number;
  subject?: string | undefined;
  body: unknown;
  expectsReply?: boolean | undefined;
  /** messageId of the request this answers */
  inReplyTo?: string | undefined;
  /** a request is dropped undelivered after this Unix time, ms (its requester has timed out) */
  expiresAtMs?: number | undefined;
}

export type MailboxErrorCode = 'not_found' | 'limit_reached' | 'too_large' | 'timeout' | 'bad_message' | 'unavailable';

export class MailboxError extends Error {
  override name = 'MailboxError';
  constructor(
    readonly code: MailboxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

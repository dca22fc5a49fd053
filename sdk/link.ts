// What the SDK's service clients (storage, mailbox, tasks) get from the AgentClient: how to send, the request
// matcher, and an event outlet. Keeps them independent of the connection code.
import type { RequestMatcher } from './request-matcher.js';

export interface ClientLink {
  agentId: string;
  matcher: RequestMatcher;
  /** default timeout of a request, ms */
  timeoutMs: number;
  /** QoS1 now, dropped when offline */
  send(topic: string, message: object): void;
  /** through the durable outbox; returns the message id */
  sendDurable(topic: string, message: object, id?: string): string;
  emit(event: string, arg: unknown): void;
}

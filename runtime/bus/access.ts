// The broker's access-control seam. The embedded broker calls these from aedes' authenticate / authorizePublish /
// authorizeSubscribe hooks; runtime/security implements them (credentials, roles, topic ACLs). The development
// implementation lets everyone in and must be announced loudly at start.

import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import type { HttpHandler } from './bus.js';

export type PrincipalRole =
  | 'agent'
  | 'operator-admin'
  | 'operator-viewer'
  | 'operator-homeassistant'
  | 'gateway'
  | 'anonymous';

export interface Principal {
  /** agent id, operator name or gateway id */
  id: string;
  role: PrincipalRole;
  /** extra topic filters this principal may subscribe to (granted by config) */
  grants?: readonly string[];
}

export interface BrokerAccess {
  /** null means refused; never throws for bad input */
  authenticate(clientId: string, username: string | undefined, password: Buffer | undefined): Promise<Principal | null>;
  authorizePublish(principal: Principal, topic: string, payloadBytes: number): boolean;
  authorizeSubscribe(principal: Principal, topicFilter: string): boolean;
}

/**
 * Optional extras of a full security layer (runtime/security), used by the embedded broker when the access object
 * has one: connection and packet-size limits on every socket, hooks that need the aedes instance (rate limits, live
 * revocation, client certificates), and the TLS listeners. Additive to BrokerAccess; AllowAllAccess has none.
 */
export interface BrokerGuard {
  /** each new connection (TCP or WebSocket stream) before aedes reads it; false: refused and already destroyed */
  accept(stream: Duplex, remoteAddress: string): boolean;
  /** largest WebSocket message the listeners should accept, bytes */
  readonly wsPayloadBytesMax: number;
  /**
   * once aedes exists: installs its hooks over the broker's and opens the TLS listeners; `http` gives the handler of
   * plain HTTPS requests on the secure WebSocket port (the dashboard), as the plain port has (bus.ts `serveHttp`)
   */
  start(broker: Aedes, http?: () => HttpHandler | undefined): Promise<void>;
  stop(): Promise<void>;
  /** URLs of the TLS listeners it opened (null when off) */
  urls(): { mqtts: string | null; wss: string | null };
}

export interface GuardedBrokerAccess extends BrokerAccess {
  readonly guard: BrokerGuard;
}

export function hasGuard(access: BrokerAccess): access is GuardedBrokerAccess {
  return typeof (access as Partial<GuardedBrokerAccess>).guard === 'object';
}

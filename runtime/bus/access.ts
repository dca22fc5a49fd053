// The broker's access-control seam. The embedded broker calls these from aedes' authenticate / authorizePublish /
// authorizeSubscribe hooks; runtime/security implements them (credentials, roles, topic ACLs). The development
// implementation lets everyone in and must be announced loudly at start.

export type PrincipalRole = 'agent' | 'operator-admin' | 'operator-viewer' | 'gateway' | 'anonymous';

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

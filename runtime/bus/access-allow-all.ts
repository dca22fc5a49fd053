// Development access: everyone may connect, publish and subscribe. The gateway logs a warning when it is in use.
// runtime/security provides the real BrokerAccess; access-factory.ts picks one.
import type { BrokerAccess, Principal } from './access.js';

export class AllowAllAccess implements BrokerAccess {
  readonly development = true;

  async authenticate(clientId: string): Promise<Principal | null> {
    return { id: clientId, role: 'anonymous' };
  }

  authorizePublish(): boolean {
    return true;
  }

  authorizeSubscribe(): boolean {
    return true;
  }
}

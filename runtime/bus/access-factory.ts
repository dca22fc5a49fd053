// Picks the BrokerAccess the embedded broker uses. runtime/security replaces the body of this one function (reading
// its own config section); nothing else in the gateway needs to change.
import type { Config } from '../config/schema.js';
import type { BrokerAccess } from './access.js';
import { AllowAllAccess } from './access-allow-all.js';

export function createBrokerAccess(_config: Config): BrokerAccess {
  return new AllowAllAccess();
}

export function isDevelopmentAccess(access: BrokerAccess): boolean {
  return access instanceof AllowAllAccess;
}

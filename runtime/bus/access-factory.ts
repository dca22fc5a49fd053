// Picks the BrokerAccess the embedded broker uses: runtime/security's SecureAccess, configured by the `security`
// section (anonymous clients refused unless security.devMode). Tests may still pass AllowAllAccess explicitly.
import type { Config } from '../config/schema.js';
import { SecureAccess } from '../security/secure-access.js';
import type { BrokerAccess } from './access.js';
import { AllowAllAccess } from './access-allow-all.js';

export interface AccessLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const quiet: AccessLogger = { info() {}, warn() {}, error() {} };

export function createBrokerAccess(config: Config, logger: AccessLogger = quiet): BrokerAccess {
  return new SecureAccess(config, logger);
}

/** true when anonymous clients may do anything: the gateway warns loudly at start */
export function isDevelopmentAccess(access: BrokerAccess): boolean {
  return access instanceof AllowAllAccess || (access instanceof SecureAccess && access.devMode);
}

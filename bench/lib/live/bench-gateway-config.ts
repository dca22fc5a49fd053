// The config of an in-process gateway for the live benches (live-tasks, site-retrain): its own data dir, an ephemeral
// broker port, no WebSocket listener, dev-mode security, quiet logs, and the bench's scheduler settings.
import { validateConfig } from '../../../runtime/config/load.js';
import type { Config } from '../../../runtime/config/schema.js';

export function benchGatewayConfig(dataDir: string, scheduler: Record<string, unknown>): Config {
  return validateConfig(
    {
      gateway: { id: 'gw-bench' },
      broker: { host: '127.0.0.1', port: 0, wsPort: null },
      store: { dataDir, flushIntervalMs: 50 },
      log: { level: 'warn' },
      security: { devMode: true },
      scheduler,
    },
    'bench',
  );
}

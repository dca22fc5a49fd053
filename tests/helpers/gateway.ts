// An in-process gateway on loopback with ports chosen by the OS, state in a temp dir, logs silent (set
// AGENTOS_TEST_LOG=debug to see them). Stopped when the test ends.
import { pino } from 'pino';
import { validateConfig } from '../../runtime/config/load.js';
import type { Config } from '../../runtime/config/schema.js';
import { Gateway, type GatewayOptions } from '../../runtime/gateway.js';
import type { Teardown } from './teardown.js';
import { tempDir } from './temp-dir.js';

export interface TestGateway {
  gateway: Gateway;
  config: Config;
  /** mqtt://127.0.0.1:PORT (or the external broker URL) */
  url: string;
  /** ws://127.0.0.1:PORT or null */
  wsUrl: string | null;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartGatewayOptions extends GatewayOptions {
  /** config sections merged over the test defaults (one level deep) */
  config?: Record<string, Record<string, unknown>> | undefined;
  /** reuse a data dir (restart tests) */
  dataDir?: string | undefined;
}

export async function startGateway(t: Teardown, options: StartGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? (await tempDir(t, 'agentos-gw-'));
  const extra = options.config ?? {};
  const doc: Record<string, Record<string, unknown>> = {
    gateway: { id: 'gw-test' },
    broker: { host: '127.0.0.1', port: 0, wsPort: 0 },
    store: { dataDir, flushIntervalMs: 50 },
    log: { level: process.env['AGENTOS_TEST_LOG'] ?? 'silent' },
    // anonymous test clients; tests of access control pass security: { devMode: false }
    security: { devMode: true },
  };
  for (const [section, values] of Object.entries(extra)) doc[section] = { ...doc[section], ...values };
  const config = validateConfig(doc, 'test');
  const logger = options.logger ?? pino({ level: config.log.level });
  const gateway = new Gateway(config, { ...options, logger });
  await gateway.start();
  const stop = () => gateway.stop();
  t.teardown(stop);
  return { gateway, config, url: gateway.urls.mqtt, wsUrl: gateway.urls.ws, dataDir, stop };
}

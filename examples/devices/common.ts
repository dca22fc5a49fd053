// Shared start-up for the simulated devices: --url, --id and --state-dir flags (or AGENTOS_* variables), a clean
// stop on SIGINT/SIGTERM, and a log line on connect and offline.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentClient, type AgentClientOptions } from '../../sdk/index.js';

export function deviceClient(
  defaultId: string,
  opts: Omit<AgentClientOptions, 'url' | 'agentId' | 'stateDir'>,
): AgentClient {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, id: { type: 'string' }, 'state-dir': { type: 'string' } },
    allowPositionals: false,
  });
  const agentId = values.id ?? process.env['AGENTOS_AGENT_ID'] ?? defaultId;
  const client = new AgentClient({
    ...opts,
    url: values.url ?? process.env['AGENTOS_URL'] ?? 'mqtt://127.0.0.1:1883',
    agentId,
    stateDir: values['state-dir'] ?? process.env['AGENTOS_STATE_DIR'] ?? join(tmpdir(), `agentos-${agentId}`),
  });
  client.on('connect', () => console.log(`${agentId} connected`));
  client.on('offline', (why: string) => console.log(`${agentId} offline: ${why}`));
  return client;
}

/** stops the client and the timers on SIGINT/SIGTERM */
export function stopOnSignal(client: AgentClient, timers: NodeJS.Timeout[]): void {
  const stop = () => {
    for (const t of timers) clearInterval(t);
    client.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

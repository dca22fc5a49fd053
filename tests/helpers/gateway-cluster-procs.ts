// Three (or more) real gateway processes forming one cluster, for tests: each `agentos start` with its own broker port,
// data dir and config file (fast profile, one site key, every peer listed), started and restarted by the test.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { createSiteKey } from '../../runtime/security/site-key.js';
import { freePort } from './free-port.js';
import { type GatewayProcess, spawnGateway } from './gateway-process.js';
import type { Teardown } from './teardown.js';
import { tempDir } from './temp-dir.js';

export interface ClusterNode {
  id: string;
  port: number;
  url: string;
  dataDir: string;
  config: string;
  proc?: GatewayProcess | undefined;
}

export interface ClusterSetupOptions {
  ids: readonly string[];
  clusterId: string;
  /** temp dir prefix */
  prefix: string;
  /** config sections beside gateway and cluster (merged over the defaults below) */
  extra?: Record<string, Record<string, unknown>> | undefined;
}

/** writes every node's config; starts nothing */
export async function setupClusterNodes(t: Teardown, o: ClusterSetupOptions): Promise<ClusterNode[]> {
  const root = await tempDir(t, o.prefix);
  const siteKeyFile = join(root, 'site.key');
  await createSiteKey(siteKeyFile);
  const ports = await Promise.all(o.ids.map(() => freePort()));
  const peers = o.ids.map((id, i) => ({ id, url: `mqtt://127.0.0.1:${ports[i]}` }));
  return Promise.all(
    o.ids.map(async (id, i) => {
      const dataDir = join(root, id);
      const config = join(root, `${id}.json`);
      const { cluster, scheduler, ...rest } = o.extra ?? {};
      const doc = {
        gateway: { id },
        cluster: {
          enabled: true,
          clusterId: o.clusterId,
          profile: 'fast',
          peers,
          siteKeyFile,
          reconcileIntervalMs: 200,
          ...cluster,
        },
        scheduler: { traceEnabled: false, ...scheduler },
        ...rest,
      };
      await writeFile(config, JSON.stringify(doc));
      return { id, port: ports[i]!, url: peers[i]!.url, dataDir, config };
    }),
  );
}

export function startClusterNode(t: Teardown, n: ClusterNode): Promise<GatewayProcess> {
  return spawnGateway(t, {
    dataDir: n.dataDir,
    args: ['--config', n.config, '--port', String(n.port), '--no-ws', '--data-dir', n.dataDir],
    readyTimeoutMs: 60_000,
  });
}

/** one API call on a fresh client (nodes come and go in these tests) */
export async function callNode<T>(url: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const api = await ApiClient.connect({ url, timeoutMs: 8000 });
  try {
    return await api.call<T>(method, params);
  } finally {
    await api.close();
  }
}

// The cluster's gateway API methods. Registered at construction (so docs list them) whether or not the cluster is
// enabled; a disabled cluster answers "unavailable". Writes go to the leader (forwarded by a follower); reads of the
// state are linearizable by default (a ReadIndex round before answering).
import { ApiError, type ApiRouter } from '../bus/api-router.js';
import type { ClusterComponent } from './cluster-component.js';

const nodeId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' };
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

/** a failure of the cluster layer as an API error (not the leader, no leader yet, timeouts: retry later) */
async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const msg = (err as Error).message ?? String(err);
    const code = /^Timeout/.test(msg) ? 'timeout' : 'unavailable';
    throw new ApiError(code, msg);
  }
}

export function registerClusterMethods(api: ApiRouter, cluster: ClusterComponent): void {
  api.register('cluster.status', {
    summary: 'cluster members, leader, term, commit index and (from the leader) each follower lag',
    params: obj({ local: { type: 'boolean', description: 'this node only (default: also the leader view)' } }),
    handler: (p: { local?: boolean }) =>
      guarded(async () => {
        if (!cluster.enabled) return { enabled: false };
        const local = cluster.localStatus();
        if (p.local || local['role'] === 'leader' || local['leader'] === null) return { enabled: true, ...local };
        const leaderView = await cluster.submit({ op: 'status' }).catch((e: Error) => ({ error: e.message }));
        return { enabled: true, ...local, leaderView };
      }),
  });
  api.register('cluster.join', {
    summary: 'add a gateway to the cluster: record it with its broker URL, then add it as a voter',
    params: obj({ id: nodeId, url: { type: 'string', pattern: '^(mqtts?|wss?)://.+' } }, ['id', 'url']),
    handler: (p: { id: string; url: string }) =>
      guarded(async () => {
        const joined = await cluster.submit({ op: 'propose', cmd: { type: 'gateway.join', id: p.id, url: p.url } });
        const voter = await cluster.submit({ op: 'conf', cc: { type: 'addVoter', nodeId: p.id } });
        return { joined, voter };
      }),
  });
  api.register('cluster.leave', {
    summary: 'remove a gateway: remove it as a voter, then forget it (its unfinished tasks are queued again)',
    params: obj({ id: nodeId }, ['id']),
    handler: (p: { id: string }) =>
      guarded(async () => {
        const voter = await cluster.submit({ op: 'conf', cc: { type: 'removeVoter', nodeId: p.id } });
        // a removed leader steps down: the gateway record goes through whoever leads next
        const left = await retry(() => cluster.submit({ op: 'propose', cmd: { type: 'gateway.leave', id: p.id } }));
        return { voter, left };
      }),
  });
  api.register('cluster.transfer', {
    summary: 'hand leadership to another voter (it catches up, then campaigns at once)',
    params: obj({ to: nodeId }, ['to']),
    handler: (p: { to: string }) => guarded(() => cluster.submit({ op: 'transfer', to: p.to })),
  });
  api.register('cluster.state', {
    summary: 'the replicated cluster state (gateways, agent placement, tasks); linearizable unless stale is true',
    params: obj({ stale: { type: 'boolean', description: 'skip the ReadIndex round (this node view, may lag)' } }),
    handler: (p: { stale?: boolean }) =>
      guarded(async () => {
        if (p.stale)
          cluster.localStatus(); // throws "not enabled" / "not running"
        else await cluster.read();
        return cluster.state.data;
      }),
  });
  api.register('cluster.tasks.submit', {
    summary: 'submit a cluster-level task (one log entry; a repeated id is refused, so a retry never runs it twice)',
    params: obj(
      {
        id: { type: 'string', minLength: 1, maxLength: 128 },
        capability: { type: 'string', minLength: 1, maxLength: 128 },
        priority: { type: 'number', minimum: 0, maximum: 9, default: 0 },
        estDurationMs: { type: 'integer', minimum: 1, maximum: 604800000, description: 'estimate, ms (default 1000)' },
        input: {},
      },
      ['id', 'capability'],
    ),
    handler: (p: { id: string; capability: string; priority?: number; estDurationMs?: number; input?: unknown }) =>
      guarded(() =>
        cluster.submit({
          op: 'propose',
          cmd: {
            type: 'task.submit',
            task: {
              id: p.id,
              capability: p.capability,
              priority: p.priority ?? 0,
              ...(p.estDurationMs === undefined ? {} : { estDurationMs: p.estDurationMs }),
              input: p.input,
            },
          },
        }),
      ),
  });
}

/** a few tries for a step that follows a leader change it caused itself */
async function retry<T>(fn: () => Promise<T>, tries = 5, delayMs = 300): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

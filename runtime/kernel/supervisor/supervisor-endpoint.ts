// The supervisor on the gateway: API methods (agents.run, stop, start, restart, remove, logs, ps) and the link to
// the agent table, so a supervised program is a software agent like any other: registered when it starts (unless it
// registered itself through the SDK), kept alive in the table while its process runs, failed with the supervisor's
// reason when it crashes for good or goes over its memory limit, offline when stopped.
import { ApiError, type ApiRouter } from '../../bus/api-router.js';
import type { AgentRegistry } from '../registry/registry.js';
import type { AgentInfo } from './agent-process.js';
import { ManifestError } from './manifest.js';
import { type Supervisor, SupervisorError } from './supervisor.js';

const nameParams = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
};

function mapError(err: unknown): never {
  if (err instanceof ManifestError) throw new ApiError('bad_message', err.message, 'dir');
  if (err instanceof SupervisorError) {
    const code = err.message.startsWith('no installed agent')
      ? 'not_found'
      : err.message.startsWith('too many')
        ? 'limit_reached'
        : 'bad_message';
    throw new ApiError(code, err.message);
  }
  throw err;
}

async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mapError(err);
  }
}

export function registerSupervisorMethods(api: ApiRouter, sup: Supervisor): Array<() => void> {
  const byName = (summary: string, fn: (name: string) => Promise<AgentInfo>) =>
    ({
      summary,
      params: nameParams,
      handler: (p: { name: string }) => guarded(async () => ({ agent: await fn(p.name) })),
    }) as const;
  return [
    api.register<{ dir: string }>('agents.run', {
      summary: 'install a software agent folder (with its agent.json manifest) and start it',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['dir'],
        properties: {
          dir: { type: 'string', minLength: 1, maxLength: 4096, description: 'absolute path on the gateway' },
        },
      },
      handler: (p) => guarded(async () => ({ agent: await sup.install(p.dir) })),
    }),
    api.register(
      'agents.stop',
      byName('stop a supervised agent (SIGTERM, then SIGKILL after its grace period)', (n) => sup.stopAgent(n)),
    ),
    api.register(
      'agents.start',
      byName('start a stopped supervised agent', (n) => sup.startAgent(n)),
    ),
    api.register(
      'agents.restart',
      byName('restart a supervised agent', (n) => sup.restartAgent(n)),
    ),
    api.register<{ name: string }>('agents.remove', {
      summary: 'stop and uninstall a supervised agent (its folder and storage stay)',
      params: nameParams,
      handler: (p) =>
        guarded(async () => {
          await sup.remove(p.name);
          return { removed: p.name };
        }),
    }),
    api.register<{ name: string; lines?: number }>('agents.logs', {
      summary: 'the last lines of a supervised agent log (stdout, stderr and the supervisor notes)',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { ...nameParams.properties, lines: { type: 'integer', minimum: 1, maximum: 10000 } },
      },
      handler: (p) => guarded(() => ({ lines: sup.logs(p.name, p.lines ?? 100) })),
    }),
    api.register('agents.ps', {
      summary: 'supervised agents: pid, status, restarts, cpu%, rss',
      params: { type: 'object', additionalProperties: false, properties: {} },
      handler: () => ({ agents: sup.list() }),
    }),
  ];
}

/** Keeps the agent table in step with the supervisor; returns a function that undoes the link. */
export function linkSupervisorToRegistry(sup: Supervisor, registry: AgentRegistry): () => void {
  const onStatus = (info: AgentInfo) => {
    if (info.status === 'running') {
      if (registry.get(info.name)) return;
      const loaded = sup.manifestOf(info.name);
      registry.apply({
        type: 'register',
        agentId: info.name,
        kind: 'software',
        capabilities: [...info.capabilities],
        capacity: { cpu: loaded?.manifest.limits.cpu ?? 1, memoryMb: info.memoryLimitMb },
        metadata: { supervised: true },
      });
    } else if (info.status === 'failed') registry.setStatus(info.name, 'failed', info.reason);
    else if (info.status === 'stopped') registry.setStatus(info.name, 'offline', info.reason);
  };
  sup.on('status', onStatus);
  return () => sup.off('status', onStatus);
}

/** A running process is alive even when it says nothing on MQTT. */
export function touchRunning(sup: Supervisor, registry: AgentRegistry): void {
  for (const a of sup.list()) if (a.status === 'running' && registry.get(a.name)) registry.touch(a.name);
}

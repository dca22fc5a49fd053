// The agents' file system: one AgentNamespace per agent under <dataDir>/storage/<agentId>/. The caller passes the
// agent id of the authenticated sender (the bus ACL binds a client to its own agent topics), so an agent only ever
// names paths inside its own namespace; the id itself is checked so it can never be a path.
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { AgentNamespace, type NamespaceLimits } from './agent-namespace.js';
import { StorageError } from './safe-path.js';

// the bus's ID_PATTERN (runtime/bus/topics.ts): one topic level, never a path
export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface StorageOptions {
  dataDir: string;
  limits?: Partial<NamespaceLimits> | undefined;
  /** namespaces kept open in memory; the least recently used is dropped beyond this */
  openNamespacesMax?: number | undefined;
}

export const DEFAULT_NAMESPACE_LIMITS: NamespaceLimits = {
  quotaBytes: 16 * 1024 * 1024,
  valueBytesMax: 64 * 1024,
  fileBytesMax: 8 * 1024 * 1024,
  keyCharsMax: 256,
  keysMax: 10000,
};

export class StorageService {
  private readonly namespaces = new Map<string, AgentNamespace>();
  private readonly quotaOverrides = new Map<string, number>();
  private readonly root: string;
  private readonly limits: NamespaceLimits;

  constructor(private readonly opts: StorageOptions) {
    this.root = join(opts.dataDir, 'storage');
    this.limits = { ...DEFAULT_NAMESPACE_LIMITS, ...(opts.limits ?? {}) };
  }

  /** the folder of an agent's namespace (also handed to the supervisor for the agent's sandbox) */
  dirFor(agentId: string): string {
    if (typeof agentId !== 'string' || !AGENT_ID_PATTERN.test(agentId)) {
      throw new StorageError('EAGENT', `agentId ${JSON.stringify(agentId)} is not a valid agent id`);
    }
    return join(this.root, agentId);
  }

  /** Per-agent quota, for instance from a software agent's manifest (limits.storageMb). */
  setQuota(agentId: string, quotaBytes: number): void {
    this.dirFor(agentId);
    this.quotaOverrides.set(agentId, quotaBytes);
    this.namespaces.delete(agentId);
  }

  /** The agent's namespace, opened on first use. */
  ns(agentId: string): AgentNamespace {
    const hit = this.namespaces.get(agentId);
    if (hit) {
      this.namespaces.delete(agentId);
      this.namespaces.set(agentId, hit);
      return hit;
    }
    const dir = this.dirFor(agentId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (lstatSync(dir).isSymbolicLink() || realpathSync(dir) !== join(realpathSync(this.root), agentId)) {
      throw new StorageError('EESCAPE', `storage of agent ${agentId} is a symlink; refusing to use it`);
    }
    const quotaBytes = this.quotaOverrides.get(agentId) ?? this.limits.quotaBytes;
    const ns = new AgentNamespace(agentId, dir, { ...this.limits, quotaBytes });
    ns.open();
    this.namespaces.set(agentId, ns);
    const max = this.opts.openNamespacesMax ?? 256;
    if (this.namespaces.size > max) {
      const oldest = this.namespaces.keys().next().value;
      if (oldest !== undefined) this.namespaces.delete(oldest);
    }
    return ns;
  }
}

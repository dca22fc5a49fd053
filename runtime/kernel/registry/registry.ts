// The agent table: register, telemetry, state and status from normalized AgentEvents (drivers and the MQTT inbox
// both feed it), liveness by heartbeat timeout, retained status publication, persistence through the store.
import type { AgentEvent, AgentStatus, Resources, Scalar } from '../../../drivers/driver.js';
import type { ErrorBody } from '../../bus/schemas/api-messages.js';
import type { Store } from '../../store/store.js';
import { type AgentChange, type AgentFilter, type AgentRecord, matchesFilter } from './agent-record.js';

export interface RegistryOptions {
  store: Store;
  heartbeatTimeoutMs: number;
  checkIntervalMs: number;
  agentsMax: number;
  /** publishes the retained status of an agent; called on every status change and at start */
  publishStatus: (agent: Readonly<AgentRecord>) => void;
  onListenerError: (err: unknown) => void;
  now?: (() => number) | undefined;
}

export type ApplyResult = { ok: true } | { ok: false; error: ErrorBody };

const OK: ApplyResult = { ok: true };
const NAMESPACE = 'agents';
/** telemetry keys and state keys kept per agent: merging messages must not grow a row without bound */
export const KEYS_MAX = 256;

export class AgentRegistry {
  readonly #o: RegistryOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: AgentChange) => void>();
  #agents: Record<string, AgentRecord> | undefined;
  /** the same records by id: one hashed lookup per message instead of an own-property check and a read on the
   * stored document (agents are only ever added, in #register) */
  readonly #byId = new Map<string, AgentRecord>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RegistryOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.#agents) return;
    const agents = this.#o.store.namespace<Record<string, AgentRecord>>(NAMESPACE, () => ({}));
    const now = this.#now();
    // after a restart every agent gets one full timeout to speak again before it is marked offline
    for (const [id, agent] of Object.entries(agents)) {
      agent.lastSeenMs = now;
      this.#byId.set(id, agent);
    }
    this.#agents = agents;
    this.republishStatuses();
    this.#timer = setInterval(() => this.checkLiveness(), this.#o.checkIntervalMs);
  }

  /** publishes every agent's retained status again (at start, and after the broker comes back) */
  republishStatuses(): void {
    for (const agent of Object.values(this.#agents ?? {})) this.#o.publishStatus(agent);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#agents = undefined;
    this.#byId.clear();
    this.#listeners.clear();
  }

  #table(): Record<string, AgentRecord> {
    if (!this.#agents) throw new Error('agent registry not started');
    return this.#agents;
  }

  get size(): number {
    return this.#agents ? Object.keys(this.#agents).length : 0;
  }

  get(agentId: string): Readonly<AgentRecord> | undefined {
    this.#table();
    return this.#byId.get(agentId);
  }

  list(filter: AgentFilter = {}): Readonly<AgentRecord>[] {
    return Object.values(this.#table()).filter((a) => matchesFilter(a, filter));
  }

  countByStatus(): Record<AgentStatus, number> {
    const counts: Record<AgentStatus, number> = { online: 0, busy: 0, offline: 0, failed: 0 };
    for (const agent of Object.values(this.#agents ?? {})) counts[agent.status]++;
    return counts;
  }

  /** listeners see every change; a throwing listener is reported and does not stop the others */
  onChange(listener: (change: AgentChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: AgentChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#o.onListenerError(err);
      }
    }
  }

  /** the kernel's one input: a normalized event from a driver or the MQTT inbox */
  apply(event: AgentEvent): ApplyResult {
    switch (event.type) {
      case 'register':
        return this.#register(event);
      case 'telemetry':
        return this.#telemetry(event);
      case 'state':
        return this.#state(event.agentId, event.state, false);
      case 'status':
        return this.setStatus(event.agentId, event.status, event.reason ?? null);
      case 'log':
        return this.touch(event.agentId);
    }
  }

  #register(event: Extract<AgentEvent, { type: 'register' }>): ApplyResult {
    const table = this.#table();
    const now = this.#now();
    const existing = this.get(event.agentId) as AgentRecord | undefined;
    if (!existing && Object.keys(table).length >= this.#o.agentsMax) {
      return fail('limit_reached', `agent table is full (agentsMax ${this.#o.agentsMax})`);
    }
    const previousStatus = existing?.status;
    const agent: AgentRecord = {
      id: event.agentId,
      kind: event.kind,
      capabilities: [...event.capabilities],
      capacity: { ...event.capacity },
      use: existing?.use ?? {},
      metadata: { ...event.metadata },
      status: 'online',
      statusReason: null,
      state: existing?.state ?? {},
      telemetry: existing?.telemetry ?? {},
      registeredAtMs: existing?.registeredAtMs ?? now,
      updatedAtMs: now,
      lastSeenMs: now,
      lastTelemetryMs: existing?.lastTelemetryMs ?? null,
    };
    table[event.agentId] = agent;
    this.#byId.set(event.agentId, agent);
    // a registration is rare and others act on it (mailboxes refuse mail to unknown agents): write it now, not in a batch
    this.#o.store.markUrgent();
    this.#o.publishStatus(agent);
    this.#emit({ type: 'registered', agent, previousStatus });
    return OK;
  }

  /** the hot path (every telemetry message): one table lookup, the key limit checked before anything changes */
  #telemetry(event: Extract<AgentEvent, { type: 'telemetry' }>): ApplyResult {
    this.#table();
    const agent = this.#byId.get(event.agentId);
    if (!agent) return notRegistered(event.agentId);
    const values = event.values;
    const telemetry = agent.telemetry;
    if (exceedsKeys(telemetry, values)) {
      return fail('limit_reached', `agent ${event.agentId} would have more than ${KEYS_MAX} telemetry keys`, 'values');
    }
    for (const key in values) telemetry[key] = values[key] as Scalar;
    const use = event.use;
    if (use) mergeUse(agent.use, use);
    const now = this.#now();
    agent.lastTelemetryMs = event.tsMs;
    agent.lastSeenMs = now;
    agent.updatedAtMs = now;
    this.#o.store.markDirty();
    if (agent.status === 'offline') this.#changeStatus(agent, 'online', null);
    this.#emit({ type: 'telemetry', agent });
    return OK;
  }

  #state(agentId: string, state: Record<string, unknown>, replace: boolean): ApplyResult {
    const agent = this.get(agentId) as AgentRecord | undefined;
    if (!agent) return notRegistered(agentId);
    if (!replace && exceedsKeys(agent.state, state)) {
      return fail('limit_reached', `agent ${agentId} would have more than ${KEYS_MAX} state keys`, 'state');
    }
    agent.state = replace ? { ...state } : { ...agent.state, ...state };
    agent.lastSeenMs = agent.updatedAtMs = this.#now();
    this.#o.store.markDirty();
    this.#revive(agent);
    this.#emit({ type: 'state', agent });
    return OK;
  }

  /** reported state; `replace` drops keys not in `state` */
  setState(agentId: string, state: Record<string, unknown>, replace: boolean): ApplyResult {
    return this.#state(agentId, state, replace);
  }

  /** a sign of life (heartbeat, command reply); brings an offline agent back online */
  touch(agentId: string): ApplyResult {
    const agent = this.get(agentId) as AgentRecord | undefined;
    if (!agent) return notRegistered(agentId);
    agent.lastSeenMs = this.#now();
    this.#revive(agent);
    return OK;
  }

  #revive(agent: AgentRecord): void {
    if (agent.status === 'offline') this.#changeStatus(agent, 'online', null);
  }

  setStatus(agentId: string, status: AgentStatus, reason: string | null): ApplyResult {
    const agent = this.get(agentId) as AgentRecord | undefined;
    if (!agent) return notRegistered(agentId);
    // offline comes from a last will or the gateway itself, not from a living agent
    if (status !== 'offline') agent.lastSeenMs = this.#now();
    this.#changeStatus(agent, status, reason);
    return OK;
  }

  #changeStatus(agent: AgentRecord, status: AgentStatus, reason: string | null): void {
    if (agent.status === status && agent.statusReason === reason) return;
    const previousStatus = agent.status;
    agent.status = status;
    agent.statusReason = reason;
    agent.updatedAtMs = this.#now();
    this.#o.store.markDirty();
    this.#o.publishStatus(agent);
    this.#emit({ type: 'status', agent, previousStatus });
  }

  /** marks agents silent for longer than heartbeatTimeoutMs offline; runs on the timer, public for tests */
  checkLiveness(): number {
    const deadline = this.#now() - this.#o.heartbeatTimeoutMs;
    let marked = 0;
    for (const agent of Object.values(this.#agents ?? {})) {
      if ((agent.status === 'online' || agent.status === 'busy') && agent.lastSeenMs < deadline) {
        this.#changeStatus(agent, 'offline', `no message for ${this.#o.heartbeatTimeoutMs} ms`);
        marked++;
      }
    }
    return marked;
  }
}

function fail(code: ErrorBody['code'], message: string, field?: string): ApplyResult {
  return { ok: false, error: { code, message, ...(field !== undefined ? { field } : {}) } };
}

/** true when merging `add` into `target` would pass KEYS_MAX; allocates only when `add` brings new keys */
function exceedsKeys(target: Record<string, unknown>, add: Record<string, unknown>): boolean {
  let fresh = 0;
  for (const key in add) if (!Object.hasOwn(target, key)) fresh++;
  return fresh > 0 && Object.keys(target).length + fresh > KEYS_MAX;
}

/** Object.assign for the four resource fields, as named stores (the hot path's `use` is one small object per message) */
function mergeUse(target: Partial<Resources>, use: Partial<Resources>): void {
  if (use.cpu !== undefined) target.cpu = use.cpu;
  if (use.memoryMb !== undefined) target.memoryMb = use.memoryMb;
  if (use.bandwidthKbps !== undefined) target.bandwidthKbps = use.bandwidthKbps;
  if (use.battery !== undefined) target.battery = use.battery;
}

function notRegistered(agentId: string): ApplyResult {
  return fail('not_registered', `agent ${agentId} is not registered; publish its hello first`);
}

// One gateway: the core (store, bus, agent registry, command dispatch, API) plus the extra components of
// components.ts, started in order and stopped in reverse. The constructor wires objects and does no I/O.
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { BrokerAccess } from './bus/access.js';
import { createBrokerAccess, isDevelopmentAccess } from './bus/access-factory.js';
import { ApiRouter } from './bus/api-router.js';
import type { Bus } from './bus/bus.js';
import { EmbeddedBroker } from './bus/embedded-broker.js';
import { ExternalBus } from './bus/external-bus.js';
import type { StatusMessage } from './bus/schemas/agent-messages.js';
import type { GatewayStatusMessage } from './bus/schemas/api-messages.js';
import { topics } from './bus/topics.js';
import { unixSocketPathOf } from './bus/unix-listener.js';
import { MessageValidator } from './bus/validator.js';
import type { Component, ComponentFactory, GatewayContext } from './component.js';
import { extraComponents } from './components.js';
import type { Config } from './config/schema.js';
import { HealthReporter } from './health.js';
import { ResourceAccounting } from './kernel/accounting/resource-accounting.js';
import { DedupWindow } from './kernel/dedup/dedup-window.js';
import { AgentInbox } from './kernel/registry/agent-inbox.js';
import type { AgentRecord } from './kernel/registry/agent-record.js';
import { registerAgentMethods } from './kernel/registry/api-methods.js';
import { CommandDispatcher } from './kernel/registry/commands.js';
import { AgentRegistry } from './kernel/registry/registry.js';
import { createLogger } from './logger.js';
import { Store } from './store/store.js';
import { CoarseClock } from './util/coarse-clock.js';

export interface GatewayOptions {
  logger?: Logger | undefined;
  /** replaces components.ts (tests); the core is always there */
  components?: readonly ComponentFactory[] | undefined;
  /** replaces createBrokerAccess(config) for the embedded broker */
  access?: BrokerAccess | undefined;
}

export interface GatewayUrls {
  /** mqtt://host:port clients can use (127.0.0.1 when listening on all interfaces) */
  mqtt: string;
  /** ws://host:port, or null when off or in external-broker mode */
  ws: string | null;
}

const API_IN_FLIGHT_MAX = 1000;
/** how long stop() waits for the "offline" status to be acknowledged */
const STOP_PUBLISH_TIMEOUT_MS = 2000;

export class Gateway {
  readonly context: GatewayContext;
  readonly #components: Component[];
  readonly #broker: EmbeddedBroker | null;
  #started: Component[] = [];
  #state: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  #startedAtMs = 0;

  constructor(config: Config, options: GatewayOptions = {}) {
    const gatewayId = config.gateway.id;
    const logger = options.logger ?? createLogger(config.log.level, gatewayId);
    const embedded = config.broker.url === null;
    const access = embedded ? (options.access ?? createBrokerAccess(config, logger)) : null;
    this.#broker = access ? newEmbeddedBroker(config, access, logger) : null;
    const bus: Bus = this.#broker ?? newExternalBus(config, logger, () => this.#onReconnect());
    const store = new Store({
      dataDir: resolve(config.store.dataDir),
      flushIntervalMs: config.store.flushIntervalMs,
      logger,
    });
    const validator = new MessageValidator(config.protocol.messageBytesMax);
    // per-message timestamps (last seen, telemetry without tsMs) without a Date.now() per message
    const clock = new CoarseClock();
    const registry = new AgentRegistry({
      now: clock.now,
      store,
      heartbeatTimeoutMs: config.liveness.heartbeatTimeoutMs,
      checkIntervalMs: config.liveness.checkIntervalMs,
      agentsMax: config.protocol.agentsMax,
      publishStatus: (agent) => publishAgentStatus(bus, agent, logger),
      onListenerError: (err) => logger.error({ err }, 'agent change listener failed'),
    });
    const p = config.protocol;
    const commands = new CommandDispatcher({
      bus,
      registry,
      validator,
      gatewayId,
      pendingCommandsMax: p.pendingCommandsMax,
      timeoutMsDefault: p.commandTimeoutMsDefault,
      timeoutMsMax: p.commandTimeoutMsMax,
      logger,
    });
    const api = new ApiRouter({ bus, validator, gatewayId, logger, inFlightMax: API_IN_FLIGHT_MAX });
    const health = new HealthReporter();
    const dedup = new DedupWindow({
      path: join(resolve(config.store.dataDir), 'kernel', 'dedup.jsonl'),
      windowMax: config.kernel.dedupWindowMax,
    });
    const accounting = new ResourceAccounting({ windowMs: config.kernel.accountingWindowMs, now: clock.now });
    this.context = {
      config,
      logger,
      bus,
      access,
      store,
      validator,
      registry,
      commands,
      api,
      health,
      dedup,
      accounting,
    };
    const inbox = new AgentInbox({ bus, registry, validator, gatewayId, logger, dedup, now: clock.now });
    this.#components = [
      { name: 'clock', start: () => clock.start(), stop: () => clock.stop() },
      { name: 'store', start: () => store.start(), stop: () => store.stop() },
      { name: 'bus', start: () => startBus(bus), stop: () => stopBus(bus) },
      { name: 'registry', start: () => registry.start(), stop: () => registry.stop() },
      { name: 'dedup', start: () => dedup.start(), stop: () => dedup.stop() },
      { name: 'inbox', start: () => inbox.start(), stop: () => inbox.stop() },
      { name: 'commands', start: () => commands.start(), stop: () => commands.stop() },
      this.#coreApi(inbox),
      ...(options.components ?? extraComponents).map((factory) => factory(this.context)),
    ];
  }

  /**
   * The core's API methods and health sections, registered here (no I/O) so `api.describe()` lists them before start
   * (docs/PROTOCOL.md is generated that way). Other components register theirs in their constructor or start().
   */
  #coreApi(inbox: AgentInbox): Component {
    const { api, registry, commands, health, store, bus, config } = this.context;
    registerAgentMethods(api, registry, commands);
    api.register('health', {
      summary: 'gateway health: uptime, agent counts, broker, store and component sections',
      params: { type: 'object', additionalProperties: false, properties: {} },
      handler: () => this.#health(),
    });
    health.add('agents', () => ({ total: registry.size, ...registry.countByStatus() }));
    health.add('inbox', () => ({ ...inbox.stats }));
    health.add('commands', () => ({ pending: commands.pendingCount }));
    health.add('store', () => ({ path: store.path, ...store.stats }));
    health.add('broker', () => ({
      mode: bus.mode,
      ...(this.#broker ? { clients: this.#broker.connectedClients } : { url: config.broker.url }),
    }));
    return { name: 'api', start: () => api.start(), stop: () => api.stop() };
  }

  #health(): Record<string, unknown> {
    return {
      gatewayId: this.context.config.gateway.id,
      status: this.#state === 'running' ? 'ok' : this.#state,
      uptimeMs: Math.round(performance.now() - this.#startedAtMs),
      methods: Object.keys(this.context.api.describe()),
      ...this.context.health.report(),
    };
  }

  get running(): boolean {
    return this.#state === 'running';
  }

  /** where clients connect; valid after start() */
  get urls(): GatewayUrls {
    const b = this.#broker;
    if (!b) return { mqtt: this.context.config.broker.url ?? '', ws: null };
    const host = clientHost(this.context.config.broker.host);
    return { mqtt: `mqtt://${host}:${b.port}`, ws: b.wsPort === null ? null : `ws://${host}:${b.wsPort}` };
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    this.#state = 'starting';
    this.#startedAtMs = performance.now();
    const { logger, access } = this.context;
    if (access && isDevelopmentAccess(access)) {
      logger.warn(
        'broker access control is OFF (development allow-all): any client may publish and subscribe anything',
      );
    }
    try {
      for (const component of this.#components) {
        await component.start();
        this.#started.push(component);
      }
      await this.#publishGatewayStatus('online');
    } catch (err) {
      logger.error({ err }, 'gateway start failed; stopping what started');
      await this.#stopStarted();
      this.#state = 'idle';
      throw err;
    }
    this.#state = 'running';
    const readyMs = Math.round(performance.now() - this.#startedAtMs);
    logger.info(
      { readyMs, processReadyMs: Math.round(performance.now()), ...this.urls, mode: this.context.bus.mode },
      'gateway ready',
    );
  }

  async stop(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    // best effort and bounded: a broker that went away must not hold the stop
    await boundedWait(this.#publishGatewayStatus('offline'), STOP_PUBLISH_TIMEOUT_MS);
    await this.#stopStarted();
    this.#state = 'idle';
    this.context.logger.info('gateway stopped');
  }

  async #stopStarted(): Promise<void> {
    for (const component of this.#started.reverse()) {
      try {
        await component.stop();
      } catch (err) {
        this.context.logger.error({ err, component: component.name }, 'component stop failed');
      }
    }
    this.#started = [];
  }

  /** after an external broker comes back: our will said offline, and status changes made meanwhile were not published */
  #onReconnect(): void {
    if (this.#state !== 'running') return;
    const { logger, registry } = this.context;
    this.#publishGatewayStatus('online').catch((err: unknown) =>
      logger.warn({ err }, 'cannot republish gateway status'),
    );
    registry.republishStatuses();
  }

  #publishGatewayStatus(status: 'online' | 'offline'): Promise<void> {
    const gatewayId = this.context.config.gateway.id;
    const message: GatewayStatusMessage = { status, gatewayId, tsMs: Date.now() };
    return this.context.bus.publish(topics.gatewayStatus(gatewayId), JSON.stringify(message), { qos: 1, retain: true });
  }
}

function newEmbeddedBroker(config: Config, access: BrokerAccess, logger: Logger): EmbeddedBroker {
  const { host, port, wsPort } = config.broker;
  const unixSocketPath = unixSocketPathOf(config);
  return new EmbeddedBroker({ id: config.gateway.id, host, port, wsPort, access, logger, unixSocketPath });
}

function newExternalBus(config: Config, logger: Logger, onReconnect: () => void): ExternalBus {
  const b = config.broker;
  const gatewayId = config.gateway.id;
  const offline: GatewayStatusMessage = { status: 'offline', gatewayId };
  return new ExternalBus({
    url: b.url ?? '',
    clientId: `agentos-gw-${gatewayId}`,
    username: b.username,
    password: b.password,
    connectTimeoutMs: b.connectTimeoutMs,
    will: { topic: topics.gatewayStatus(gatewayId), payload: JSON.stringify(offline), retain: true, qos: 1 },
    onReconnect,
    logger,
  });
}

function startBus(bus: Bus): Promise<void> {
  return (bus as EmbeddedBroker | ExternalBus).start();
}

function stopBus(bus: Bus): Promise<void> {
  return (bus as EmbeddedBroker | ExternalBus).stop();
}

function publishAgentStatus(bus: Bus, agent: Readonly<AgentRecord>, logger: Logger): void {
  const message: StatusMessage = {
    status: agent.status,
    source: 'gateway',
    tsMs: agent.updatedAtMs,
    ...(agent.statusReason !== null ? { reason: agent.statusReason } : {}),
  };
  bus
    .publish(topics.agent(agent.id, 'status'), JSON.stringify(message), { qos: 1, retain: true })
    .catch((err: unknown) => logger.warn({ err, agentId: agent.id }, 'cannot publish agent status'));
}

/** waits for a promise at most timeoutMs, ignoring its outcome */
async function boundedWait(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([promise.catch(() => undefined), timeout]);
  clearTimeout(timer);
}

function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

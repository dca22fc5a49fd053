// The gateway's native MQTT agent protocol: reads hello, heartbeat, status, telemetry and state from the bus, checks
// each against its schema and turns it into an AgentEvent for the registry. A refused message gets an error on
// agentos/v1/agents/{agentId}/error naming the field; nothing reaches the table unchecked.
import type { Logger } from 'pino';
import type { AgentEvent } from '../../../drivers/driver.js';
import { type Bus, subscribeAll, type Unsubscribe } from '../../bus/bus.js';
import { publishError } from '../../bus/publish-error.js';
import type { HelloMessage, StateMessage, StatusMessage, TelemetryMessage } from '../../bus/schemas/agent-messages.js';
import type { MessageName } from '../../bus/schemas/index.js';
import { type AgentChannel, type ParsedAgentTopic, topics } from '../../bus/topics.js';
import type { MessageValidator } from '../../bus/validator.js';
import type { DedupWindow } from '../dedup/dedup-window.js';
import type { AgentRegistry, ApplyResult } from './registry.js';

export interface AgentInboxOptions {
  bus: Bus;
  registry: AgentRegistry;
  validator: MessageValidator;
  gatewayId: string;
  logger: Logger;
  /** drops repeats of durable messages (msgId) the SDK outbox resends after a crash */
  dedup?: DedupWindow | undefined;
  /** the clock for telemetry without tsMs (the gateway passes its CoarseClock); default Date.now */
  now?: (() => number) | undefined;
}

export interface InboxStats {
  accepted: number;
  refused: number;
}

export class AgentInbox {
  readonly #o: AgentInboxOptions;
  readonly #now: () => number;
  #off: Unsubscribe | undefined;
  readonly stats: InboxStats = { accepted: 0, refused: 0 };

  constructor(options: AgentInboxOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.#off) return;
    const channels: AgentChannel[] = ['hello', 'heartbeat', 'status', 'telemetry', 'state'];
    this.#off = await subscribeAll(
      this.#o.bus,
      channels.map((c) => [topics.anyAgent(c), (topic, payload, info) => this.#receive(topic, payload, info.agent)]),
    );
  }

  async stop(): Promise<void> {
    const off = this.#off;
    this.#off = undefined;
    await off?.();
  }

  /** `parsed`: the bus's parse of the topic, done once per topic for every handler */
  #receive(topic: string, payload: Buffer, parsed: ParsedAgentTopic | null): void {
    if (!parsed) return; // ids that are not one valid topic level never match a registry row
    const result = this.#handle(parsed.agentId, parsed.channel, payload);
    if (result.ok) {
      this.stats.accepted++;
      return;
    }
    this.stats.refused++;
    this.#o.logger.debug({ topic, error: result.error }, 'agent message refused');
    publishError(this.#o.bus, topics.agent(parsed.agentId, 'error'), topic, this.#o.gatewayId, result.error);
  }

  #handle(agentId: string, channel: AgentChannel, payload: Buffer): ApplyResult {
    const { registry, validator } = this.#o;
    switch (channel) {
      case 'hello': {
        const m = validator.parse<HelloMessage>('hello', payload);
        if (!m.ok) return m;
        const { kind, capabilities = [], capacity = {}, metadata = {} } = m.value;
        return registry.apply({ type: 'register', agentId, kind, capabilities, capacity, metadata });
      }
      case 'heartbeat':
        return this.#checked('heartbeat', payload, () => registry.touch(agentId), {});
      case 'telemetry':
        return this.#telemetry(agentId, payload);
      case 'state':
        return this.#checked<StateMessage>('state', payload, (s) =>
          this.#once(agentId, s.msgId, () => registry.setState(agentId, s.state, s.replace ?? false)),
        );
      case 'status':
        return this.#checked<StatusMessage>('status', payload, (s) => this.#status(agentId, s));
      default:
        return { ok: true };
    }
  }

  /** the hot path, written out: no closures or spread copies per message */
  #telemetry(agentId: string, payload: Buffer): ApplyResult {
    const m = this.#o.validator.parse<TelemetryMessage>('telemetry', payload);
    if (!m.ok) return m;
    const t = m.value;
    const dedup = this.#o.dedup;
    if (t.msgId !== undefined && dedup && !dedup.accept(agentId, t.msgId)) return { ok: true };
    const tsMs = t.tsMs ?? this.#now();
    const values = t.values ?? {};
    // two literals rather than adding `use` afterwards: each gets its own shape, with no property store to grow
    const event: Extract<AgentEvent, { type: 'telemetry' }> = t.use
      ? { type: 'telemetry', agentId, tsMs, values, use: t.use }
      : { type: 'telemetry', agentId, tsMs, values };
    return this.#o.registry.apply(event);
  }

  /** applies a durable message once: a repeat of its msgId is acknowledged and dropped */
  #once(agentId: string, msgId: string | undefined, apply: () => ApplyResult): ApplyResult {
    const dedup = this.#o.dedup;
    if (msgId !== undefined && dedup && !dedup.accept(agentId, msgId)) return { ok: true };
    return apply();
  }

  #checked<T>(name: MessageName, payload: Buffer, apply: (value: T) => ApplyResult, emptyAs?: unknown): ApplyResult {
    const m = this.#o.validator.parse<T>(name, payload, emptyAs);
    return m.ok ? apply(m.value) : m;
  }

  #status(agentId: string, s: StatusMessage): ApplyResult {
    if (s.source === 'gateway') return { ok: true }; // our own retained copy coming back
    if (!this.#o.registry.get(agentId)) {
      // a retained last will of an agent this gateway never knew: nothing to update, nothing to complain about
      if (s.status === 'offline') return { ok: true };
    }
    return this.#o.registry.setStatus(agentId, s.status, s.reason ?? null);
  }
}

// Home Assistant through MQTT discovery: every agent becomes an HA device whose entities (entities.ts) are announced
// retained under the discovery prefix, its values are published as one retained JSON per agent (at most once per
// stateIntervalMs), and HA's controls come back as agent commands through the dispatcher. When HA restarts it
// publishes `online` on <prefix>/status; everything is announced again then. Off unless homeAssistant.enabled.
import type { Unsubscribe } from '../../bus/bus.js';
import { parseHaCommandTopic, topics } from '../../bus/topics.js';
import type { Component, GatewayContext } from '../../component.js';
import type { AgentRecord } from '../../kernel/registry/agent-record.js';
import { discoveryTopic, type EntityContext, entitiesOf, type HaControl, slug, stateTopic } from './entities.js';
import { commandParams } from './ha-commands.js';

interface AgentAnnouncement {
  /** discovery topic -> the config JSON published there */
  configs: Map<string, string>;
  controls: Map<string, HaControl>;
  /** telemetry keys announced: a new key means new entities */
  keys: Set<string>;
}

export class HomeAssistantComponent implements Component {
  readonly name = 'home-assistant';
  private readonly announced = new Map<string, AgentAnnouncement>();
  private readonly dirty = new Set<string>();
  private readonly inFlight = new Map<string, number>();
  private offBus: Unsubscribe | undefined;
  private offRegistry: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** counters for the health report */
  private readonly counts = { configs: 0, states: 0, commands: 0, refused: 0 };

  constructor(private readonly ctx: GatewayContext) {}

  private get ectx(): EntityContext {
    const c = this.ctx.config.homeAssistant;
    return {
      gatewayId: this.ctx.config.gateway.id,
      discoveryPrefix: c.discoveryPrefix,
      entitiesMax: c.entitiesPerAgentMax,
    };
  }

  async start(): Promise<void> {
    const c = this.ctx.config.homeAssistant;
    if (!c.enabled || this.offBus) return;
    const { bus, registry, health } = this.ctx;
    const offBirth = await bus.subscribe(`${c.discoveryPrefix}/status`, (_t, p) => {
      if (p.toString('utf8') !== 'online') return;
      this.ctx.logger.info({ agents: this.announced.size }, 'home assistant online: announcing every agent again');
      this.announceAll(true);
    });
    const offCommands = await bus.subscribe(topics.anyHaCommand, (t, p) => this.onCommand(t, p));
    const offHealth = health.add('homeAssistant', () => ({ agents: this.announced.size, ...this.counts }));
    this.offBus = async () => {
      offHealth();
      await Promise.all([offBirth(), offCommands()]);
    };
    this.offRegistry = registry.onChange((change) => {
      if (change.type === 'registered' || this.hasNewKeys(change.agent)) this.announce(change.agent, false);
      this.dirty.add(change.agent.id);
    });
    this.announceAll(false);
    this.timer = setInterval(() => this.flush(), c.stateIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.offRegistry?.();
    this.offRegistry = undefined;
    const off = this.offBus;
    this.offBus = undefined;
    await off?.();
    this.flush();
    this.announced.clear();
  }

  private announceAll(force: boolean): void {
    this.publish(this.gatewayTopic(), JSON.stringify(this.gatewayConfig()));
    for (const agent of this.ctx.registry.list({})) {
      this.announce(agent, force);
      this.dirty.add(agent.id);
    }
    this.flush();
  }

  private hasNewKeys(agent: Readonly<AgentRecord>): boolean {
    const known = this.announced.get(agent.id)?.keys;
    if (!known) return true;
    for (const k in agent.telemetry) if (!known.has(k)) return true;
    return false;
  }

  /** Publishes the agent's changed configs and removes the ones it no longer has (an empty retained payload). */
  private announce(agent: Readonly<AgentRecord>, force: boolean): void {
    const ectx = this.ectx;
    const before = this.announced.get(agent.id);
    const now: AgentAnnouncement = {
      configs: new Map(),
      controls: new Map(),
      keys: new Set(Object.keys(agent.telemetry)),
    };
    for (const e of entitiesOf(agent, ectx)) {
      const topic = discoveryTopic(ectx, agent.id, e);
      const json = JSON.stringify(e.config);
      now.configs.set(topic, json);
      if (e.control) now.controls.set(e.control.command, e.control);
      if (force || before?.configs.get(topic) !== json) this.publish(topic, json);
    }
    for (const topic of before?.configs.keys() ?? []) if (!now.configs.has(topic)) this.publish(topic, '');
    this.announced.set(agent.id, now);
  }

  private flush(): void {
    const { registry, bus, logger } = this.ctx;
    for (const id of this.dirty) {
      const agent = registry.get(id);
      if (!agent) continue;
      const body = JSON.stringify({ status: agent.status, values: agent.telemetry, updatedAtMs: agent.updatedAtMs });
      this.counts.states++;
      bus
        .publish(stateTopic(id), body, { qos: 0, retain: true })
        .catch((err: Error) => logger.debug({ err: err.message, agentId: id }, 'home assistant state not published'));
    }
    this.dirty.clear();
  }

  private publish(topic: string, json: string): void {
    this.counts.configs++;
    this.ctx.bus
      .publish(topic, json, { qos: 1, retain: true })
      .catch((err: Error) =>
        this.ctx.logger.warn({ err: err.message, topic }, 'home assistant discovery not published'),
      );
  }

  private onCommand(topic: string, payload: Buffer): void {
    const parsed = parseHaCommandTopic(topic);
    const control = parsed && this.announced.get(parsed.agentId)?.controls.get(parsed.command);
    const log = this.ctx.logger;
    if (!parsed || !control) {
      this.counts.refused++;
      log.warn({ topic }, 'home assistant command for no announced control');
      return;
    }
    const { agentId, command } = parsed;
    const p = commandParams(control, payload);
    if (!p.ok) {
      this.counts.refused++;
      log.warn({ agentId, command, error: p.error }, 'home assistant command refused');
      return;
    }
    const c = this.ctx.config.homeAssistant;
    const pending = this.inFlight.get(agentId) ?? 0;
    if (pending >= c.commandsInFlightMax) {
      this.counts.refused++;
      log.warn({ agentId, command, pending }, 'home assistant command dropped: too many waiting for this agent');
      return;
    }
    this.inFlight.set(agentId, pending + 1);
    this.counts.commands++;
    this.ctx.commands
      .send({ agentId, name: command, params: p.params, timeoutMs: c.commandTimeoutMs })
      .then(
        (r) => {
          if (!r.ok) log.warn({ agentId, command, code: r.code, error: r.error }, 'home assistant command failed');
        },
        (err: Error) => log.warn({ agentId, command, err: err.message }, 'home assistant command not delivered'),
      )
      .finally(() => {
        const n = (this.inFlight.get(agentId) ?? 1) - 1;
        if (n > 0) this.inFlight.set(agentId, n);
        else this.inFlight.delete(agentId);
        this.dirty.add(agentId);
      });
  }

  /** the gateway as an HA device too, so agents' via_device points at something real */
  private gatewayTopic(): string {
    const e = this.ectx;
    return `${e.discoveryPrefix}/binary_sensor/agentos_${slug(e.gatewayId)}/status/config`;
  }

  private gatewayConfig(): Record<string, unknown> {
    const gw = this.ectx.gatewayId;
    return {
      name: 'Gateway',
      unique_id: `agentos_${slug(gw)}_status`,
      state_topic: topics.gatewayStatus(gw),
      value_template: "{{ 'ON' if value_json.status == 'online' else 'OFF' }}",
      device_class: 'connectivity',
      device: { identifiers: [`agentos_${slug(gw)}`], name: `AgentOS gateway ${gw}`, manufacturer: 'AgentOS Edge' },
    };
  }
}

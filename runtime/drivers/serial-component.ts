// The serial driver as a gateway component: its events feed the agent table, commands the dispatcher publishes for
// serial agents (agents/{id}/cmd) are answered on their reply topic like any MQTT agent's, an open and handshaken
// port keeps its agent alive, and OTA jobs run through a bounded queue. Off when config.serial.ports is empty (the
// driver and the firmware bridge are then not loaded).
import type { AgentCommand } from '../../drivers/driver.js';
import type { SerialDriverOptions } from '../../drivers/serial/options.js';
import { OtaQueue } from '../../drivers/serial/ota-queue.js';
import type { SerialDriver } from '../../drivers/serial/serial-driver.js';
import type { Unsubscribe } from '../bus/bus.js';
import type { CommandMessage, CommandReplyMessage } from '../bus/schemas/command-messages.js';
import { parseAgentTopic, topics } from '../bus/topics.js';
import type { Component, GatewayContext } from '../component.js';
import { OtaJobs } from './ota-jobs.js';

const ERROR_CHARS_MAX = 2048;

export class SerialComponent implements Component {
  readonly name = 'serial';
  /** created by start() when ports are configured (the driver and firmware bridge are loaded only then) */
  #driver: SerialDriver | null = null;
  private readonly queue: OtaQueue;
  private off: Unsubscribe | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly extra: Partial<SerialDriverOptions> = {},
  ) {
    const c = ctx.config.serial;
    const jobs = new OtaJobs({
      enqueue: (job) => queue.enqueue(job),
      owns: (id) => this.#driver?.owns(id) ?? false,
      imageBytesMax: c.otaImageBytesMax,
    });
    const queue = new OtaQueue({
      update: (agentId, image, o) => {
        const driver = this.#driver;
        if (!driver) return Promise.reject(new Error('serial driver has no ports configured'));
        return driver.ota(agentId, image, o);
      },
      concurrencyMax: c.otaConcurrencyMax,
      queueLengthMax: c.otaQueueLengthMax,
      attemptsMax: c.otaAttemptsMax,
      retryDelayMs: c.reconnectPollMs * 2,
      onProgress: (p) => jobs.progress(p),
    });
    this.queue = queue;
    // registered even with no ports so the API is documented; owns() is then false for every agent
    jobs.register(ctx.api);
  }

  get driver(): SerialDriver | null {
    return this.#driver;
  }

  async start(): Promise<void> {
    const c = this.ctx.config.serial;
    if (c.ports.length === 0 || this.off) return;
    const { registry, logger, bus, config } = this.ctx;
    if (!this.#driver) {
      const { SerialDriver } = await import('../../drivers/serial/serial-driver.js');
      this.#driver ??= new SerialDriver({
        ports: c.ports,
        ackTimeoutMs: c.ackTimeoutMs,
        retriesMax: c.retriesMax,
        handshakeTimeoutMs: c.handshakeTimeoutMs,
        reconnectPollMs: c.reconnectPollMs,
        keepaliveMs: c.keepaliveMs,
        ...this.extra,
      });
    }
    const driver = this.#driver;
    const log = logger.child({ component: 'serial' });
    await driver.start({
      emit: (e) => {
        const r = registry.apply(e);
        if (!r.ok) log.debug({ event: e.type, agentId: e.agentId, error: r.error }, 'agent event refused');
      },
      logger: log,
    });
    this.off = await bus.subscribe(topics.anyAgent('command'), (topic, payload) => this.onCommand(topic, payload));
    // an open, handshaken port is the device's heartbeat, also while it sends no telemetry
    this.timer = setInterval(() => {
      for (const id of driver.onlineAgents()) registry.touch(id);
    }, config.liveness.checkIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const off = this.off;
    this.off = undefined;
    await off?.();
    await this.queue.stop();
    await this.#driver?.stop();
  }

  private onCommand(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    const driver = this.#driver;
    if (!parsed || !driver?.owns(parsed.agentId)) return;
    const m = this.ctx.validator.parse<CommandMessage>('command', payload);
    if (!m.ok) return; // the dispatcher only publishes valid commands; anything else is not ours to answer
    const cmd: AgentCommand = { agentId: parsed.agentId, ...m.value };
    driver.sendCommand(cmd).then(
      (r) => this.reply(parsed.agentId, { ...r }),
      (err: Error) =>
        this.reply(parsed.agentId, {
          requestId: cmd.requestId,
          ok: false,
          code: -1,
          error: err.message.slice(0, ERROR_CHARS_MAX),
        }),
    );
  }

  private reply(agentId: string, r: CommandReplyMessage): void {
    const body: CommandReplyMessage = { requestId: r.requestId, ok: r.ok };
    if (r.code !== undefined) body.code = r.code;
    if (r.result !== undefined) body.result = r.result;
    if (r.error !== undefined) body.error = r.error.slice(0, ERROR_CHARS_MAX);
    this.ctx.bus
      .publish(topics.agent(agentId, 'commandReply'), JSON.stringify(body), { qos: 1 })
      .catch((err: Error) => this.ctx.logger.warn({ err: err.message, agentId }, 'serial command reply not published'));
  }
}

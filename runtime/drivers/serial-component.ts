// The serial driver as a gateway component: wired in by driver-attachment.ts (events, commands, liveness), and OTA
// jobs run through a bounded queue. Off when config.serial.ports is empty (the
// driver and the firmware bridge are then not loaded).
import type { SerialDriverOptions } from '../../drivers/serial/options.js';
import { OtaQueue } from '../../drivers/serial/ota-queue.js';
import type { SerialDriver } from '../../drivers/serial/serial-driver.js';
import type { Component, GatewayContext } from '../component.js';
import { bleOf } from './ble-link.js';
import { attachDriver } from './driver-attachment.js';
import { OtaJobs } from './ota-jobs.js';

export class SerialComponent implements Component {
  readonly name = 'serial';
  /** created by start() when ports are configured (the driver and firmware bridge are loaded only then) */
  #driver: SerialDriver | null = null;
  private readonly queue: OtaQueue;
  private detach: (() => Promise<void>) | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly extra: Partial<SerialDriverOptions> = {},
  ) {
    const c = ctx.config.serial;
    // the bridge driver (serial, else BLE) whose agent this is: OTA runs the same over both links
    const driverOf = (id: string) => {
      if (this.#driver?.owns(id)) return this.#driver;
      const ble = bleOf(ctx)?.driver;
      return ble?.owns(id) ? ble : null;
    };
    const jobs = new OtaJobs({
      enqueue: (job) => queue.enqueue(job),
      owns: (id) => driverOf(id) !== null,
      imageBytesMax: c.otaImageBytesMax,
    });
    const queue = new OtaQueue({
      update: (agentId, image, o) => {
        const driver = driverOf(agentId);
        if (!driver) return Promise.reject(new Error(`agent ${agentId} is not a serial or BLE agent`));
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
    if (c.ports.length === 0 || this.detach) return;
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
    this.detach = await attachDriver(this.ctx, this.#driver);
  }

  async stop(): Promise<void> {
    const detach = this.detach;
    this.detach = undefined;
    await detach?.();
    await this.queue.stop();
    await this.#driver?.stop();
  }
}

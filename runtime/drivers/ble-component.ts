// The BLE driver as a gateway component, wired in by driver-attachment.ts (events, commands, liveness). Off when
// config.ble.devices is empty: node-ble, dbus-next and the firmware bridge are then not loaded. OTA jobs for BLE agents
// go through the serial component's ota.* API and queue (ble-link.ts).
import type { BleDriver } from '../../drivers/ble/ble-driver.js';
import type { BleDriverOptions } from '../../drivers/ble/options.js';
import type { Component, GatewayContext } from '../component.js';
import { attachDriver } from './driver-attachment.js';

export class BleComponent implements Component {
  readonly name = 'ble';
  #driver: BleDriver | null = null;
  private detach: (() => Promise<void>) | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly extra: Partial<BleDriverOptions> = {},
  ) {}

  get driver(): BleDriver | null {
    return this.#driver;
  }

  async start(): Promise<void> {
    const c = this.ctx.config.ble;
    if (c.devices.length === 0 || this.detach) return;
    if (!this.#driver) {
      const { BleDriver } = await import('../../drivers/ble/ble-driver.js');
      this.#driver ??= new BleDriver({ ...c, ...this.extra });
    }
    this.detach = await attachDriver(this.ctx, this.#driver);
  }

  async stop(): Promise<void> {
    const detach = this.detach;
    this.detach = undefined;
    await detach?.();
    await this.#driver?.stop();
  }
}

// The BLE Driver: the firmware bridge protocol (../serial/bridge-driver.ts) over a GATT byte pipe to each configured
// peripheral, through BlueZ on D-Bus (node-ble). Agent ids default to `ble-<device uid>`; a lost link is opened
// again once BlueZ sees the peripheral, scanning while any device is not online.
import type { DriverContext } from '../driver.js';
import { BridgeDriver } from '../serial/bridge-driver.js';
import { type BluezSession, openBluez } from './bluez.js';
import { gattPipeOpener } from './gatt-pipe.js';
import { type BleDriverOptions, type ResolvedBleOptions, resolveBleOptions } from './options.js';
import { BlePresence } from './presence.js';

export class BleDriver extends BridgeDriver {
  private readonly ble: ResolvedBleOptions;
  private bluez: BluezSession | undefined;
  private presence: BlePresence | undefined;

  /** Validates options (TypeError naming the field); does no I/O. */
  constructor(options: BleDriverOptions) {
    const ble = resolveBleOptions(options);
    super('ble', ble.bridge, {
      opener: () => {
        if (!this.bluez) throw new Error('ble driver: opener used before start()');
        return gattPipeOpener(this.bluez, ble.pipe);
      },
      portPresent: (address) => this.presence?.has(address) ?? false,
    });
    this.ble = ble;
  }

  override async start(ctx: DriverContext): Promise<void> {
    if (this.bluez) return;
    const session = openBluez({ dbusAddress: this.ble.dbusAddress, adapter: this.ble.adapter });
    this.bluez = session;
    const wanted = () => this.onlineAgents().length < this.ble.bridge.ports.length;
    this.presence = new BlePresence(session, this.ble.scanPollMs, wanted, ctx.logger);
    // the first scan poll starts discovery; the sessions try their first connect at once (a peripheral BlueZ
    // already holds connects without a scan) and otherwise when presence sees it
    await this.presence.start();
    await super.start(ctx);
  }

  override async stop(): Promise<void> {
    if (!this.bluez) return;
    await super.stop();
    await this.presence?.stop();
    this.presence = undefined;
    this.bluez.close();
    this.bluez = undefined;
  }
}

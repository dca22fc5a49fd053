// BlueZ over D-Bus through node-ble, on the system bus or a bus given by address (a private bus in tests). Only the
// calls the driver makes are typed here. node-ble and dbus-next load on the first open: a gateway with no BLE device
// configured never loads them.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

export interface BleCharacteristic extends EventEmitter {
  writeValue(value: Buffer, options: { offset?: number; type?: 'reliable' | 'request' | 'command' }): Promise<void>;
  startNotifications(): Promise<void>;
  stopNotifications(): Promise<void>;
}

export interface BleService {
  getCharacteristic(uuid: string): Promise<BleCharacteristic>;
}

export interface BleGattServer {
  getPrimaryService(uuid: string): Promise<BleService>;
}

export interface BleDevice extends EventEmitter {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  gatt(): Promise<BleGattServer>;
}

export interface BleAdapter {
  isDiscovering(): Promise<boolean>;
  startDiscovery(): Promise<void>;
  stopDiscovery(): Promise<void>;
  /** addresses of the peripherals BlueZ holds (seen in a scan, paired or connected) */
  devices(): Promise<string[]>;
  getDevice(address: string): Promise<BleDevice>;
}

interface BluetoothApi {
  adapters(): Promise<string[]>;
  getAdapter(name: string): Promise<BleAdapter>;
}

interface DbusBus {
  disconnect(): void;
}

export interface BluezSession {
  /** the configured adapter (or the first one); one object per session, looked up again after a failure */
  adapter(): Promise<BleAdapter>;
  /** closes the D-Bus connection; idempotent */
  close(): void;
}

/**
 * A session on BlueZ's bus. dbus-next never settles a call whose socket failed; it only emits 'error'. So a failed
 * bus is dropped and made again on the next call, and every caller bounds its calls with a timeout (`within`).
 */
export function openBluez(o: { dbusAddress: string | undefined; adapter: string | undefined }): BluezSession {
  const require = createRequire(import.meta.url);
  const dbus = require('dbus-next') as {
    systemBus(): DbusBus;
    sessionBus(opts: { busAddress: string }): DbusBus;
  };
  const Bluetooth = require('node-ble/src/Bluetooth.js') as new (bus: DbusBus) => BluetoothApi;
  let bus: DbusBus | undefined;
  let adapter: Promise<BleAdapter> | undefined;
  let closed = false;
  const drop = () => {
    bus?.disconnect();
    bus = undefined;
    adapter = undefined;
  };
  const lookup = async (): Promise<BleAdapter> => {
    const b = o.dbusAddress ? dbus.sessionBus({ busAddress: o.dbusAddress }) : dbus.systemBus();
    bus = b;
    // unhandled, the event would crash the gateway; handled, the next call starts over on a new connection
    const failed = new Promise<never>((_, reject) => {
      (b as unknown as EventEmitter).on('error', (err: Error) => {
        if (bus === b) drop();
        reject(new Error(`D-Bus ${o.dbusAddress ?? 'system bus'}: ${err.message}`));
      });
    });
    failed.catch(() => undefined);
    const bluetooth = new Bluetooth(b);
    const names = await Promise.race([bluetooth.adapters(), failed]);
    const name = o.adapter ?? names[0];
    if (!name) throw new Error('BlueZ lists no Bluetooth adapter');
    if (!names.includes(name)) throw new Error(`BlueZ has no adapter ${name} (it has: ${names.join(', ') || 'none'})`);
    return bluetooth.getAdapter(name);
  };
  return {
    adapter() {
      if (closed) return Promise.reject(new Error('BlueZ session closed'));
      adapter ??= lookup().catch((err: Error) => {
        drop();
        throw err;
      });
      return adapter;
    },
    close() {
      if (closed) return;
      closed = true;
      drop();
    },
  };
}

/** Rejects after `ms` with an error naming the step (a D-Bus call on a failed socket would never settle). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timeout after ${ms} ms [${what}]`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Removes what node-ble subscribed on a proxy object (its PropertiesChanged listeners and their D-Bus match rules).
 * node-ble does this only when a disconnect or stopNotifications call succeeds, which it cannot after the peripheral
 * is gone; without this every reconnect would leave listeners behind.
 */
export function releaseProxy(obj: EventEmitter): void {
  obj.removeAllListeners();
  const helper = (obj as unknown as { helper?: { removeListeners?: () => void } }).helper;
  helper?.removeListeners?.();
}

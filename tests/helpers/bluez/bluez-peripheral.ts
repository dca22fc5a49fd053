// One peripheral of the BlueZ fixture: its Device1, and while connected its NUS GATT objects and the PTY to the
// firmware. Like bluetoothd after a scan, the Device1 is on the bus only while the adapter discovers and the
// peripheral is in range, or while it is connected; the GATT objects only while connected with services resolved.
import type { MessageBus } from 'dbus-next';
import {
  bluezError,
  Device1,
  GattCharacteristic1,
  GattService1,
  NUS_RX,
  NUS_SERVICE,
  NUS_TX,
  setProps,
} from './bluez-objects.js';
import { openPtyPipe, type PtyPipe } from './pty-pipe.js';

export interface PeripheralConfig {
  /** e.g. 'AA:BB:CC:DD:EE:01' */
  address: string;
  name: string;
  /** the host end of the socat pair whose device end runs the firmware */
  ptyPath: string;
  /** ATT MTU (default 23): writes and notifications carry at most mtu - 3 bytes */
  mtu?: number | undefined;
  /** default true */
  inRange?: boolean | undefined;
  /** ms between Connect's reply and ServicesResolved, as on real BlueZ (default 0: resolved before the reply) */
  resolveDelayMs?: number | undefined;
}

export interface PeripheralStats {
  connected: boolean;
  /** successful Connect calls */
  connects: number;
  /** RX writes that reached the firmware */
  writes: number;
  /** the largest RX write attempted, refused ones included: a driver that does not chunk shows here */
  maxWriteBytes: number;
  /** RX writes refused with InvalidValueLength */
  refusedWrites: number;
  /** TX notifications sent (each at most mtu - 3 bytes) */
  notifications: number;
}

/** what a peripheral needs of the service around it */
export interface PeripheralHost {
  bus: MessageBus;
  adapterPath: string;
  discovering(): boolean;
  stopping(): boolean;
}

interface Link {
  pipe: PtyPipe;
  service: GattService1;
  rx: GattCharacteristic1;
  tx: GattCharacteristic1;
  gattExported: boolean;
  resolveTimer: NodeJS.Timeout | undefined;
}

/** what bluetoothd reports when the peripheral does not answer the connection request (out of range, unpowered) */
const CONNECT_FAILED = 'le-connection-abort-by-local';

export class Peripheral {
  readonly address: string;
  readonly path: string;
  readonly device: Device1;
  readonly stats: PeripheralStats = {
    connected: false,
    connects: 0,
    writes: 0,
    maxWriteBytes: 0,
    refusedWrites: 0,
    notifications: 0,
  };
  inRange: boolean;
  /** RemoveDevice was called: hidden until a new scan or setInRange(true) finds it again */
  removed = false;
  exported = false;
  private readonly mtu: number;
  private link: Link | undefined;
  /** the last PTY open or close: the next one waits for it, because serialport locks the PTY */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: PeripheralConfig,
    private readonly host: PeripheralHost,
  ) {
    this.address = config.address.toUpperCase();
    this.path = `${host.adapterPath}/dev_${this.address.replace(/:/g, '_')}`;
    this.mtu = config.mtu ?? 23;
    this.inRange = config.inRange ?? true;
    this.device = new Device1(
      { address: this.address, name: config.name, adapterPath: host.adapterPath },
      {
        connect: () => this.connect(),
        disconnect: () =>
          this.serialize(async () => {
            if (!this.link) throw bluezError('NotConnected', 'Not Connected');
            await this.close();
          }),
      },
    );
  }

  /** exports or removes the Device1 after a change of discovery, range or connection */
  refresh(): void {
    const visible = this.link !== undefined || (this.host.discovering() && this.inRange && !this.removed);
    if (visible && !this.exported) this.host.bus.export(this.path, this.device);
    if (!visible && this.exported) this.host.bus.unexport(this.path, this.device);
    this.exported = visible;
  }

  connect(): Promise<void> {
    return this.serialize(() => this.open());
  }

  /** link loss (or Disconnect): resolves when the PTY is closed and the signals are out; never rejects */
  drop(): Promise<void> {
    return this.serialize(() => this.close()).catch(() => undefined);
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async open(): Promise<void> {
    if (this.link) return; // bluetoothd answers a Connect on a connected LE device with success
    if (!this.inRange) throw bluezError('Failed', CONNECT_FAILED);
    let pipe: PtyPipe;
    try {
      pipe = await openPtyPipe(this.config.ptyPath, {
        onData: (d) => this.notify(d),
        onLost: () => void this.drop(),
      });
    } catch {
      // no PTY: the firmware's board is unpowered, so it does not answer the connection request
      throw bluezError('Failed', CONNECT_FAILED);
    }
    if (this.host.stopping() || !this.inRange) {
      await pipe.close();
      throw bluezError('Failed', CONNECT_FAILED);
    }
    const servicePath = `${this.path}/service000a`;
    const link: Link = {
      pipe,
      service: new GattService1(NUS_SERVICE, this.path),
      rx: new GattCharacteristic1(
        { uuid: NUS_RX, servicePath, flags: ['write', 'write-without-response'] },
        { write: (value) => this.write(link, value) },
      ),
      tx: new GattCharacteristic1({ uuid: NUS_TX, servicePath, flags: ['notify'] }, { write: () => Promise.resolve() }),
      gattExported: false,
      resolveTimer: undefined,
    };
    this.link = link;
    this.stats.connected = true;
    this.stats.connects++;
    this.refresh();
    setProps(this.device, { Connected: true });
    const resolve = () => {
      this.host.bus.export(servicePath, link.service);
      this.host.bus.export(`${servicePath}/char000b`, link.rx);
      this.host.bus.export(`${servicePath}/char000d`, link.tx);
      link.gattExported = true;
      setProps(this.device, { ServicesResolved: true });
    };
    const delay = this.config.resolveDelayMs ?? 0;
    if (delay > 0) link.resolveTimer = setTimeout(resolve, delay);
    else resolve();
  }

  private async write(link: Link, value: Buffer): Promise<void> {
    this.stats.maxWriteBytes = Math.max(this.stats.maxWriteBytes, value.length);
    // real BlueZ turns a long 'request' write into a prepared write; a NUS peripheral takes one ATT payload per
    // write, so anything over MTU-3 is refused whatever the type: a driver that does not chunk fails here
    if (value.length > this.mtu - 3) {
      this.stats.refusedWrites++;
      const text = `Invalid Length: ${value.length} bytes, ATT MTU ${this.mtu} allows ${this.mtu - 3}`;
      throw bluezError('InvalidValueLength', text);
    }
    if (this.link !== link) throw bluezError('NotConnected', 'Not Connected');
    try {
      await link.pipe.write(value);
    } catch (err) {
      throw bluezError('Failed', (err as Error).message);
    }
    this.stats.writes++;
  }

  /** firmware output: notified in ATT-payload chunks while the central subscribed, otherwise lost as on air */
  private notify(data: Buffer): void {
    const link = this.link;
    if (!link?.gattExported || !link.tx.Notifying) return;
    const max = this.mtu - 3;
    for (let at = 0; at < data.length; at += max) {
      link.tx.notify(Buffer.from(data.subarray(at, at + max)));
      this.stats.notifications++;
    }
  }

  private async close(): Promise<void> {
    const link = this.link;
    if (!link) return;
    clearTimeout(link.resolveTimer);
    // the PTY before the signals: a central that reconnects on Connected=false must find it unlocked. The link stays
    // set meanwhile, so nothing unexports the Device1 before its Connected=false went out.
    await link.pipe.close();
    this.link = undefined;
    this.stats.connected = false;
    setProps(this.device, { ServicesResolved: false });
    if (link.gattExported) {
      const servicePath = `${this.path}/service000a`;
      this.host.bus.unexport(`${servicePath}/char000d`, link.tx);
      this.host.bus.unexport(`${servicePath}/char000b`, link.rx);
      this.host.bus.unexport(servicePath, link.service);
    }
    setProps(this.device, { Connected: false });
    this.refresh();
  }
}

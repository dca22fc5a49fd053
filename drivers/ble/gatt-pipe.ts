// A byte link to one peripheral over GATT: connect, resolve the service, subscribe to the device's TX notifications
// and write to its RX characteristic in chunks of at most writeChunkBytes, one write at a time, in order. It has the
// serial link's shape (SerialOpener), so the firmware bridge session runs over it unchanged; the protocol's COBS
// framing reassembles frames cut across notifications.
import type { SerialLink, SerialLinkHandlers, SerialOpener } from '../serial/link.js';
import { type BleCharacteristic, type BleDevice, type BluezSession, releaseProxy, within } from './bluez.js';
import type { GattPipeOptions } from './options.js';

interface Pipe {
  device: BleDevice;
  rx: BleCharacteristic;
  tx: BleCharacteristic;
}

async function openPipe(device: BleDevice, o: GattPipeOptions, address: string): Promise<Pipe> {
  await device.connect();
  const gatt = await device.gatt();
  const service = await gatt.getPrimaryService(o.serviceUuid).catch(() => {
    throw new Error(`${address} has no GATT service ${o.serviceUuid}`);
  });
  const char = (uuid: string, role: string) =>
    service.getCharacteristic(uuid).catch(() => {
      throw new Error(`${address} has no ${role} characteristic ${uuid}`);
    });
  const rx = await char(o.rxUuid, 'rx');
  const tx = await char(o.txUuid, 'tx');
  return { device, rx, tx };
}

export function gattPipeOpener(session: BluezSession, o: GattPipeOptions): SerialOpener {
  return async ({ path: address }, handlers) => {
    const t = o.connectTimeoutMs;
    const adapter = await within(session.adapter(), t, 'BlueZ adapter');
    const device = await within(adapter.getDevice(address), t, `find ${address}`).catch((err: Error) => {
      throw new Error(`${address}: ${err.message}`);
    });
    let pipe: Pipe;
    try {
      pipe = await within(openPipe(device, o, address), t, `connect ${address}`);
    } catch (err) {
      // a half-made connection would keep the peripheral from advertising to the next attempt
      await within(device.disconnect(), t, 'disconnect').catch(() => undefined);
      releaseProxy(device);
      throw err;
    }
    return new GattLink(pipe, o, handlers).start();
  };
}

class GattLink implements SerialLink {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private closing = false;
  private lost = false;

  constructor(
    private readonly pipe: Pipe,
    private readonly o: GattPipeOptions,
    private readonly handlers: SerialLinkHandlers,
  ) {}

  async start(): Promise<this> {
    const { device, tx } = this.pipe;
    device.on('disconnect', () => this.lose('peripheral disconnected'));
    tx.on('valuechanged', (data: Buffer) => {
      if (!this.closing && !this.lost) this.handlers.onData(data);
    });
    try {
      await within(tx.startNotifications(), this.o.connectTimeoutMs, 'subscribe to tx');
    } catch (err) {
      await this.close();
      throw err;
    }
    return this;
  }

  write(data: Buffer): void {
    if (this.closing || this.lost) return;
    if (this.queuedBytes + data.length > this.o.writeQueueBytesMax) {
      this.lose(`write queue full: ${this.queuedBytes} bytes waiting, limit ${this.o.writeQueueBytesMax}`);
      return;
    }
    for (let off = 0; off < data.length; off += this.o.writeChunkBytes) {
      this.queue.push(data.subarray(off, off + this.o.writeChunkBytes));
    }
    this.queuedBytes += data.length;
    if (!this.writing) void this.pump();
  }

  private async pump(): Promise<void> {
    this.writing = true;
    const type = this.o.writeWithResponse ? 'request' : 'command';
    try {
      for (let chunk = this.queue.shift(); chunk; chunk = this.queue.shift()) {
        this.queuedBytes -= chunk.length;
        if (this.closing || this.lost) return;
        await this.pipe.rx.writeValue(Buffer.from(chunk), { type });
      }
    } catch (err) {
      this.lose(`write failed: ${(err as Error).message}`);
    } finally {
      this.writing = false;
    }
  }

  private lose(reason: string): void {
    if (this.closing || this.lost) return;
    this.lost = true;
    this.drop();
    this.handlers.onLost(reason);
  }

  private drop(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.drop();
    const { device, tx, rx } = this.pipe;
    const t = this.o.connectTimeoutMs;
    await within(tx.stopNotifications(), t, 'unsubscribe').catch(() => undefined);
    await within(device.disconnect(), t, 'disconnect').catch(() => undefined);
    for (const proxy of [tx, rx, device]) releaseProxy(proxy);
  }
}

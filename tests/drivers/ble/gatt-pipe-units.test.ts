// The GATT link's own logic, on stub objects (the D-Bus path is covered by ble-driver.test.ts): writes are cut into
// writeChunkBytes pieces and written one at a time in order; a queue past writeQueueBytesMax drops the link once;
// a write error drops it; close() unsubscribes, disconnects and is idempotent; a connect that never finishes times out.
import { EventEmitter } from 'node:events';
import t from 'tap';
import type { BleAdapter, BleCharacteristic, BleDevice, BluezSession } from '../../../drivers/ble/bluez.js';
import { gattPipeOpener } from '../../../drivers/ble/gatt-pipe.js';
import { NUS_RX_UUID, NUS_SERVICE_UUID, NUS_TX_UUID } from '../../../drivers/ble/options.js';

class StubChar extends EventEmitter implements BleCharacteristic {
  writes: Buffer[] = [];
  pending: (() => void)[] = [];
  /** each write waits for release() when true */
  hold = false;
  failWith: string | undefined;
  notifying = false;
  async writeValue(value: Buffer): Promise<void> {
    if (this.failWith) throw new Error(this.failWith);
    this.writes.push(value);
    if (this.hold) await new Promise<void>((resolve) => this.pending.push(resolve));
  }
  release(): void {
    for (const p of this.pending.splice(0)) p();
  }
  async startNotifications(): Promise<void> {
    this.notifying = true;
  }
  async stopNotifications(): Promise<void> {
    this.notifying = false;
  }
}

class StubDevice extends EventEmitter implements BleDevice {
  connected = false;
  disconnects = 0;
  constructor(
    readonly rx: StubChar,
    readonly tx: StubChar,
    private readonly connectHangs = false,
  ) {
    super();
  }
  connect(): Promise<void> {
    if (this.connectHangs) return new Promise(() => undefined);
    this.connected = true;
    return Promise.resolve();
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
    this.connected = false;
  }
  async gatt() {
    const chars = new Map<string, StubChar>([
      [NUS_RX_UUID, this.rx],
      [NUS_TX_UUID, this.tx],
    ]);
    return {
      getPrimaryService: async (uuid: string) => {
        if (uuid !== NUS_SERVICE_UUID) throw new Error('Service not available');
        return { getCharacteristic: async (u: string) => chars.get(u) ?? Promise.reject(new Error('no')) };
      },
    };
  }
}

function session(device: StubDevice): BluezSession {
  const adapter = { getDevice: async () => device } as unknown as BleAdapter;
  return { adapter: async () => adapter, close: () => undefined };
}

const pipeOpts = (o: Partial<{ writeQueueBytesMax: number; connectTimeoutMs: number }> = {}) => ({
  serviceUuid: NUS_SERVICE_UUID,
  rxUuid: NUS_RX_UUID,
  txUuid: NUS_TX_UUID,
  writeChunkBytes: 20,
  writeWithResponse: false,
  writeQueueBytesMax: o.writeQueueBytesMax ?? 1024,
  connectTimeoutMs: o.connectTimeoutMs ?? 1000,
});

async function open(device: StubDevice, o = pipeOpts()) {
  const got: Buffer[] = [];
  const lost: string[] = [];
  const link = await gattPipeOpener(session(device), o)(
    { path: 'AA:BB:CC:DD:EE:FF', baudRate: 0 },
    { onData: (d) => got.push(d), onLost: (r) => lost.push(r) },
  );
  return { link, got, lost };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('chunks in order, one write at a time; notifications reach onData', async (t) => {
  const dev = new StubDevice(new StubChar(), new StubChar());
  const { link, got } = await open(dev);
  t.ok(dev.tx.notifying, 'subscribed to tx');
  dev.rx.hold = true;
  const data = Buffer.from(Array.from({ length: 45 }, (_, i) => i));
  link.write(data);
  await tick();
  t.equal(dev.rx.writes.length, 1, 'the second chunk waits for the first write');
  for (let i = 0; i < 3; i++) {
    dev.rx.release();
    await tick();
  }
  t.same(
    dev.rx.writes.map((w) => w.length),
    [20, 20, 5],
  );
  t.same(Buffer.concat(dev.rx.writes), data, 'bytes in order');
  dev.tx.emit('valuechanged', Buffer.from([1, 2, 3]));
  t.same(got, [Buffer.from([1, 2, 3])]);
  await link.close();
  await link.close();
  t.equal(dev.disconnects, 1, 'close disconnects once');
  t.notOk(dev.tx.notifying, 'unsubscribed');
  dev.tx.emit('valuechanged', Buffer.from([4]));
  t.equal(got.length, 1, 'nothing delivered after close');
});

t.test('a full write queue drops the link once, naming the limit', async (t) => {
  const dev = new StubDevice(new StubChar(), new StubChar());
  const { link, lost } = await open(dev, pipeOpts({ writeQueueBytesMax: 1024 }));
  dev.rx.hold = true;
  link.write(Buffer.alloc(1000)); // the first 20-byte chunk is being written, 980 wait
  link.write(Buffer.alloc(100));
  link.write(Buffer.alloc(100));
  t.equal(lost.length, 1);
  t.match(lost[0], /write queue full: 980 bytes waiting, limit 1024/);
  dev.rx.release();
  await link.close();
});

t.test('a failed write or a peripheral disconnect drops the link', async (t) => {
  const dev = new StubDevice(new StubChar(), new StubChar());
  const { link, lost } = await open(dev);
  dev.rx.failWith = 'org.bluez.Error.Failed: Not connected';
  link.write(Buffer.alloc(5));
  await tick();
  t.match(lost, [/write failed: .*Not connected/]);
  dev.emit('disconnect');
  t.equal(lost.length, 1, 'reported once');
  await link.close();

  const dev2 = new StubDevice(new StubChar(), new StubChar());
  const b = await open(dev2);
  dev2.emit('disconnect');
  t.same(b.lost, ['peripheral disconnected']);
  await b.link.close();
});

t.test('a connect that never finishes times out and is disconnected', async (t) => {
  const dev = new StubDevice(new StubChar(), new StubChar(), true);
  await t.rejects(open(dev, pipeOpts({ connectTimeoutMs: 100 })), /Timeout after 100 ms \[connect AA:BB:CC:DD:EE:FF\]/);
  t.equal(dev.disconnects, 1, 'the half-made connection is dropped');
});

// The BlueZ test peer is BlueZ-shaped for node-ble itself: node-ble, on a private dbus-daemon, finds the adapter,
// scans, connects, resolves the Nordic UART Service and exchanges a real firmware-bridge HELLO with the gcc-built
// firmware behind the socat PTY, in writes and notifications of at most MTU-3 bytes. Also the refusals and link
// losses the BLE driver's tests rely on, and a stop() that leaves nothing running (the process exits by itself).
import { once } from 'node:events';
import { createRequire } from 'node:module';
import dbus, { type MessageBus } from 'dbus-next';
import type NodeBle from 'node-ble';
import t from 'tap';
import {
  encodeFrame,
  Flag,
  type Frame,
  FrameDecoder,
  helloPayload,
  MsgType,
  PROTOCOL_VERSION,
  parseHelloAck,
} from '../../../firmware-bridge/ts/index.js';
import { type BluezService, NUS_RX, NUS_SERVICE, NUS_TX, startBluez } from '../../helpers/bluez/bluez-service.js';
import { type PrivateBus, startPrivateBus } from '../../helpers/bluez/dbus-daemon.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';
import { waitFor } from '../../helpers/wait-for.js';

const ADDRESS = 'AA:BB:CC:DD:EE:01';
const UID = 'fx1';
// the driver builds node-ble's Bluetooth on a bus of its own (createBluetooth() only knows the system bus)
const Bluetooth = createRequire(import.meta.url)('node-ble/src/Bluetooth') as new (
  bus: MessageBus,
) => NodeBle.Bluetooth;

/** node-ble's way to a connected NUS pipe, as the driver walks it */
async function openNus(device: NodeBle.Device) {
  await device.connect();
  const service = await (await device.gatt()).getPrimaryService(NUS_SERVICE);
  const rx = await service.getCharacteristic(NUS_RX);
  const tx = await service.getCharacteristic(NUS_TX);
  const frames: Frame[] = [];
  const notified: number[] = [];
  const decoder = new FrameDecoder();
  tx.on('valuechanged', (value: Buffer) => {
    notified.push(value.length);
    frames.push(...decoder.push(value));
  });
  await tx.startNotifications();
  return { rx, tx, frames, notified };
}

/** the HELLO the serial/BLE session opens with, written in ATT-sized pieces; resolves with the firmware's reply */
async function hello(pipe: Awaited<ReturnType<typeof openNus>>, seq: number): Promise<Frame> {
  const payload = helloPayload({ protoVersion: PROTOCOL_VERSION, payloadBytesMax: 512, name: 'agentos' });
  const bytes = encodeFrame({ type: MsgType.HELLO, flags: Flag.ACK_REQUESTED, seq, payload });
  for (let at = 0; at < bytes.length; at += 20) {
    await pipe.rx.writeValue(bytes.subarray(at, at + 20), { type: 'command' });
  }
  return waitFor(
    () => pipe.frames.find((f) => f.type === MsgType.HELLO_ACK && f.seq === seq),
    10_000,
    `HELLO_ACK seq ${seq} by notification`,
  );
}

t.test('node-ble against the BlueZ fixture and the C firmware', async (t) => {
  const bench = simDeviceBench('ble-fx-');
  const { pair, sim } = bench.device(UID);
  let bus: PrivateBus | undefined;
  let bluez: BluezService | undefined;
  let client: MessageBus | undefined;
  // the client first (its socket would see the daemon die), then the service, the daemon, the firmware and PTYs
  t.teardown(async () => {
    client?.disconnect();
    await bluez?.stop();
    await bus?.stop();
    await bench.stop();
  });
  bus = await startPrivateBus();
  await pair.start();
  sim.start();
  bluez = await startBluez({
    busAddress: bus.address,
    peripherals: [{ address: ADDRESS, name: 'agentos-sim', ptyPath: pair.hostPath }],
  });
  client = dbus.sessionBus({ busAddress: bus.address });
  const bluetooth = new Bluetooth(client);

  t.same(await bluetooth.adapters(), ['hci0'], 'one adapter under /org/bluez');
  const adapter = await bluetooth.defaultAdapter();
  t.equal(await adapter.isPowered(), true);
  t.same(await adapter.devices(), [], 'no Device1 before a scan');
  await adapter.startDiscovery();
  t.equal(bluez.discovering(), true);
  const adapterIface = (await client.getProxyObject('org.bluez', bluez.adapterPath)).getInterface('org.bluez.Adapter1');
  await t.rejects(
    adapterIface['StartDiscovery']!(),
    { type: 'org.bluez.Error.InProgress', message: /in progress/ },
    'one discovery at a time',
  );

  const device = await adapter.waitDevice(ADDRESS, 5000, 100);
  t.equal(await device.getName(), 'agentos-sim');
  const pipe = await openNus(device);
  t.same(bluez.stats(ADDRESS), {
    connected: true,
    connects: 1,
    writes: 0,
    maxWriteBytes: 0,
    refusedWrites: 0,
    notifications: 0,
  });

  const reply = await hello(pipe, 1);
  t.ok(reply.flags & Flag.RESPONSE, 'a response frame');
  t.match(parseHelloAck(reply.payload), { uid: UID, name: 'agentos-sim-board' }, 'the C firmware answered');
  t.ok(pipe.notified.length > 1, `the reply came in ${pipe.notified.length} notifications`);
  t.ok(Math.max(...pipe.notified) <= 20, 'each notification fits MTU 23');
  const sent = bluez.stats(ADDRESS);
  t.ok(sent.writes > 1 && sent.maxWriteBytes === 20, `HELLO written in ${sent.writes} writes of <= 20 bytes`);

  await t.rejects(
    pipe.rx.writeValue(Buffer.alloc(21), { type: 'command' }),
    { type: 'org.bluez.Error.InvalidValueLength', message: /21 bytes/ },
    'a write over MTU-3 is refused',
  );
  t.match(bluez.stats(ADDRESS), { writes: sent.writes, maxWriteBytes: 21, refusedWrites: 1 });

  // out of range: a link loss node-ble reports, the Device1 is gone and a Connect on the stale one fails
  const lost = once(device, 'disconnect');
  await bluez.setInRange(ADDRESS, false);
  t.same(await lost, [{ connected: false }], "node-ble's device emitted 'disconnect'");
  t.same(await adapter.devices(), [], 'no Device1 out of range');
  await t.rejects(device.connect(), { type: 'org.bluez.Error.Failed', message: /le-connection-abort-by-local/ });

  // back in range: found by the running scan, connected again over a reopened PTY; then a plain link loss
  await bluez.setInRange(ADDRESS, true);
  const again = await adapter.waitDevice(ADDRESS, 5000, 100);
  const pipe2 = await openNus(again);
  t.match(parseHelloAck((await hello(pipe2, 2)).payload), { uid: UID }, 'HELLO over the second connection');
  t.equal(bluez.stats(ADDRESS).connects, 2);
  const dropped = once(again, 'disconnect');
  await bluez.dropLink(ADDRESS);
  await dropped;
  t.equal(bluez.stats(ADDRESS).connected, false);
  t.same(await adapter.devices(), [ADDRESS], 'still in range and scanning: the Device1 stays');
  await adapter.stopDiscovery();
  t.same(await adapter.devices(), [], 'scan stopped: the Device1 goes, as after bluetoothd forgets it');

  await bluez.stop();
  await bluez.stop(); // idempotent
  const busIface = (await client.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface(
    'org.freedesktop.DBus',
  );
  t.equal(await busIface['NameHasOwner']!('org.bluez'), false, 'stop() released org.bluez');
});

// The BLE driver against a private dbus-daemon with a BlueZ-shaped service whose peripheral is the gcc-built firmware
// on a socat PTY: discovery, connect, the bridge handshake over GATT (writes cut to the MTU, frames reassembled from
// notifications), telemetry, commands, a peripheral leaving range and coming back, and BlueZ not reachable at all.
import t from 'tap';
import { BleDriver } from '../../../drivers/ble/index.js';
import { EventLog } from '../../firmware-bridge/fixtures/driver-harness.js';
import { until } from '../../firmware-bridge/fixtures/until.js';
import { startBleRig } from '../../helpers/bluez/ble-rig.js';

const ADDRESS = 'AA:BB:CC:00:00:01';

t.test('options are checked with errors naming the field', async (t) => {
  const dev = { address: ADDRESS };
  t.throws(() => new BleDriver({ devices: [{ address: 'AA:BB' }] }), /devices\[0\]\.address/);
  t.throws(
    () => new BleDriver({ devices: [dev, { address: ADDRESS.toLowerCase() }] }),
    /devices\[1\]\.address .* twice/,
  );
  t.throws(() => new BleDriver({ devices: [dev], writeChunkBytes: 10 }), /writeChunkBytes/);
  t.throws(() => new BleDriver({ devices: [dev], rxUuid: '6e400002' }), /rxUuid/);
  t.throws(() => new BleDriver({ devices: [dev], ackTimeoutMs: 0 }), /ble driver: ackTimeoutMs/);
  t.throws(() => new BleDriver({ devices: [{ address: ADDRESS, agentId: '' }] }), /devices\[0\]\.agentId/);
  t.doesNotThrow(() => new BleDriver({ devices: [] }), 'no devices is valid (the gateway then never loads it)');
});

t.test('a firmware bridge device over GATT', async (t) => {
  const rig = await startBleRig('ble-driver-', 'b1e1', ADDRESS, () => ['--telemetry-ms', '100']);
  const { bus, bluez } = rig;
  const log = new EventLog();
  const driver = new BleDriver({
    devices: [{ address: ADDRESS.toLowerCase() }],
    dbusAddress: bus.address,
    ackTimeoutMs: 500,
    reconnectPollMs: 100,
    scanPollMs: 50,
    keepaliveMs: 0,
  });
  t.teardown(async () => {
    await driver.stop();
    await rig.stop();
  });

  await driver.start(log.ctx);
  await driver.start(log.ctx); // idempotent
  const reg = await log.waitFor('register', (e) => e.agentId === 'ble-b1e1', 'register over BLE');
  t.match(reg.metadata, { driver: 'ble', address: ADDRESS, uid: 'b1e1', firmware: 'agentos-sim-board' });
  t.notOk('baudRate' in reg.metadata, 'no baud rate on a GATT link');
  for (const c of ['relay', 'thermometer', 'relay.set', 'motor.set_speed']) t.ok(reg.capabilities.includes(c), c);
  await log.waitFor('status', (e) => e.agentId === 'ble-b1e1' && e.status === 'online', 'online');
  t.ok(driver.owns('ble-b1e1') && !driver.owns('serial-b1e1'), 'owns its agent');
  await log.waitFor('telemetry', (e) => typeof e.values['temperature'] === 'number', 'telemetry by notification');

  const ok = await driver.sendCommand({
    requestId: 'r-1',
    agentId: 'ble-b1e1',
    name: 'relay.set',
    params: { on: true },
    timeoutMs: 5000,
  });
  t.match(ok, { ok: true, code: 0, result: { relay: true } }, 'command and its ACK over GATT');
  const nack = await driver.sendCommand({
    requestId: 'r-2',
    agentId: 'ble-b1e1',
    name: 'motor.set_speed',
    params: { rpm: 1e6 },
    timeoutMs: 5000,
  });
  t.match(nack, { ok: false, code: 2 }, 'the device refuses a bad parameter');
  const st = bluez.stats(ADDRESS);
  t.ok(st.maxWriteBytes <= 20, `every GATT write fits the MTU (largest ${st.maxWriteBytes} bytes)`);
  t.ok(st.writes > 4, `frames were cut into several writes (${st.writes})`);
  await until(async () => !(await bluez.discovering()), 'discovery off once every device is online');

  // out of range: offline; back in range: found by discovery, connected and greeted again
  const before = log.events.length;
  bluez.setInRange(ADDRESS, false);
  await log.waitFor('status', (e) => e.status === 'offline', 'offline when out of range', before);
  await until(() => bluez.discovering(), 'discovery on while a device is missing');
  bluez.setInRange(ADDRESS, true);
  await log.waitFor('status', (e) => e.status === 'online', 'online again in range', before);
  t.equal(bluez.stats(ADDRESS).connects, 2, 'reconnected once');
  const again = await driver.sendCommand({
    requestId: 'r-3',
    agentId: 'ble-b1e1',
    name: 'counter.increment',
    params: {},
    timeoutMs: 5000,
  });
  t.match(again, { ok: true }, 'commands work after the reconnect');

  await driver.stop();
  await until(() => bluez.stats(ADDRESS).connected === false, 'disconnected by stop()');
  t.notOk(driver.isOnline('ble-b1e1'));
});

t.test('BlueZ not reachable: one warning, no crash, stop() works', async (t) => {
  const log = new EventLog();
  const driver = new BleDriver({
    devices: [{ address: ADDRESS }],
    dbusAddress: 'unix:path=/nonexistent/agentos-test-bus',
    scanPollMs: 20,
  });
  await driver.start(log.ctx);
  await until(() => log.logs.some((l) => l.includes('BlueZ not reachable')), 'the warning');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(log.logs.filter((l) => l.includes('BlueZ not reachable')).length, 1, 'said once, not every poll');
  await driver.stop();
  t.same(log.of('register'), []);
});

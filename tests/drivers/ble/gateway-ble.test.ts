// The BLE driver inside a gateway: config.ble lists a peripheral of a BlueZ-shaped service on a private dbus-daemon,
// with the gcc-built firmware behind it. The device appears in the agent table with its telemetry, a command through
// the gateway's dispatcher reaches it and returns its ACK, `agentos ota` updates it over GATT, and a peripheral out of
// range goes offline and comes back.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../../runtime/cli/main.js';
import { until } from '../../firmware-bridge/fixtures/until.js';
import { startBleRig } from '../../helpers/bluez/ble-rig.js';
import { startGateway } from '../../helpers/gateway.js';

const ADDRESS = 'AA:BB:CC:00:00:02';
const agentId = 'ble-gw2';

t.test('a BLE device served by the gateway', async (t) => {
  const rig = await startBleRig('ble-gw-', 'gw2', ADDRESS, (dir) => ['--ota-out', join(dir, 'flashed.bin')]);
  const { bench, bus, bluez } = rig;
  const flashed = join(bench.dir, 'flashed.bin');
  t.teardown(() => rig.stop());
  const gw = await startGateway(t, {
    config: {
      ble: { devices: [{ address: ADDRESS }], dbusAddress: bus.address, scanPollMs: 50, reconnectPollMs: 100 },
    },
  });
  const { registry, commands } = gw.gateway.context;
  const agent = await until(
    () => (registry.get(agentId)?.status === 'online' ? registry.get(agentId) : undefined),
    'agent in the table',
  );
  t.equal(agent.metadata['driver'], 'ble');
  t.equal(agent.metadata['address'], ADDRESS);
  await until(() => typeof registry.get(agentId)?.telemetry['temperature'] === 'number', 'telemetry in the table');

  const r = await commands.send({ agentId, name: 'relay.set', params: { on: true }, timeoutMs: 5000 });
  t.match(r, { ok: true, code: 0, result: { relay: true } }, 'command through the dispatcher, ACK over GATT');

  // OTA over BLE through the same ota.* API and queue as serial
  const image = randomBytes(4096);
  const imagePath = join(bench.dir, 'fw.bin');
  writeFileSync(imagePath, image);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['ota', agentId, imagePath, '--version', '2.0.0', '--url', gw.url], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: {},
  });
  t.equal(code, 0, err.join('\n'));
  t.match(out.at(-1), /^ota ble-gw2: verified 4096 bytes, crc32 0x[0-9a-f]{8}$/);
  await until(() => existsSync(flashed), 'flashed image');
  t.ok(readFileSync(flashed).equals(image), 'the device holds the image, sent in 20-byte GATT writes');

  bluez.setInRange(ADDRESS, false);
  await until(() => registry.get(agentId)?.status === 'offline', 'offline out of range');
  bluez.setInRange(ADDRESS, true);
  await until(() => registry.get(agentId)?.status === 'online', 'online back in range');
  const again = await commands.send({ agentId, name: 'counter.increment', params: {}, timeoutMs: 5000 });
  t.equal(again.ok, true, 'commands work after the reconnect');
});

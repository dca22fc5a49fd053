// The BLE driver inside a gateway: config.ble lists a peripheral of a BlueZ-shaped service on a private dbus-daemon,
// with the gcc-built firmware behind it. The device appears in the agent table with its telemetry, a command through
// the gateway's dispatcher reaches it and returns its ACK, and a peripheral out of range goes offline and comes back.
import t from 'tap';
import { until } from '../../firmware-bridge/fixtures/until.js';
import { startBluez } from '../../helpers/bluez/bluez-service.js';
import { startPrivateBus } from '../../helpers/bluez/dbus-daemon.js';
import { startGateway } from '../../helpers/gateway.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';

const ADDRESS = 'AA:BB:CC:00:00:02';
const agentId = 'ble-gw2';

t.test('a BLE device served by the gateway', async (t) => {
  const bench = simDeviceBench('ble-gw-');
  const { pair, sim } = bench.device('gw2');
  const bus = await startPrivateBus();
  await pair.start();
  sim.start();
  const bluez = await startBluez({
    busAddress: bus.address,
    peripherals: [{ address: ADDRESS, name: 'agentos-sim', ptyPath: pair.hostPath }],
  });
  t.teardown(async () => {
    await bluez.stop();
    await bus.stop();
    await bench.stop();
  });
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

  bluez.setInRange(ADDRESS, false);
  await until(() => registry.get(agentId)?.status === 'offline', 'offline out of range');
  bluez.setInRange(ADDRESS, true);
  await until(() => registry.get(agentId)?.status === 'online', 'online back in range');
  const again = await commands.send({ agentId, name: 'counter.increment', params: {}, timeoutMs: 5000 });
  t.equal(again.ok, true, 'commands work after the reconnect');
});

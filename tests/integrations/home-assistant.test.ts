// Home Assistant through MQTT discovery, with a gateway serving the gcc-built firmware on a socat PTY (serial) and an
// MQTT lamp, and a real MQTT client standing in for HA (ha-mirror.ts reads discovery as HA does): the devices appear
// with sensors that carry the declared units, controls become switch/button/number, a switch from HA moves the real
// relay and its state follows, bad payloads are refused and counted, HA's birth message makes the gateway announce
// everything again, and availability follows the agent going offline.
import t from 'tap';
import { until } from '../firmware-bridge/fixtures/until.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { simDeviceBench } from '../helpers/sim-devices.js';
import { HaMirror } from './ha-mirror.js';

const R = 'agentos/v1';
const SERIAL = 'serial-ha1';

t.test('agents as Home Assistant devices', async (t) => {
  const bench = simDeviceBench('ha-');
  const { pair, sim } = bench.device('ha1', ['--telemetry-ms', '100']);
  t.teardown(() => bench.stop());
  await pair.start();
  sim.start();
  const gw = await startGateway(t, {
    config: {
      serial: { ports: [{ path: pair.hostPath, baudRate: 115200 }], ackTimeoutMs: 300, reconnectPollMs: 50 },
      homeAssistant: { enabled: true, stateIntervalMs: 100 },
    },
  });
  const { registry, health } = gw.gateway.context;
  await until(() => registry.get(SERIAL)?.status === 'online', 'serial device online');

  const ha = new HaMirror(await connectMqtt(t, gw.url, { clientId: 'hass' }));
  await ha.start([`${R}/ha/#`, `${R}/agents/+/status`, `${R}/gateways/+/status`]);
  const dev = `agentos_gw-test_${SERIAL.replace(/-/g, '-')}`;
  const temp = await until(() => ha.entity(`${dev}_t_temperature`), 'temperature sensor announced');
  t.equal(temp.component, 'sensor');
  t.match(temp.config, {
    unit_of_measurement: '°C',
    device_class: 'temperature',
    state_class: 'measurement',
    device: { identifiers: [dev], model: 'agentos-sim-board', via_device: 'agentos_gw-test' },
  });
  await until(() => ha.entity('agentos_gw-test_status'), 'the gateway is a device too');
  await until(() => ha.state(temp) !== undefined && ha.state(temp) !== 'undefined', 'temperature value');
  t.ok(Number.isFinite(Number(ha.state(temp))), `temperature reads as a number (${ha.state(temp)})`);
  // retained messages arrive in no set order: wait for both availability topics
  await until(() => ha.available(temp), 'available while the device and the gateway are online');

  const ids = ha.entities().map((e) => String(e.config['unique_id']));
  t.equal(new Set(ids).size, ids.length, 'unique_ids are unique');
  // announced first without a state (optimistic), then again with the relay property's state once telemetry named it
  const relay = await until(() => {
    const e = ha.entity(`${dev}_c_relay_set`);
    return e?.config['state_topic'] ? e : undefined;
  }, 'the switch announced with its state topic');
  const button = await until(() => ha.entity(`${dev}_c_counter_increment`), 'the button');
  const speed = await until(() => ha.entity(`${dev}_c_motor_set_speed`), 'the number');
  t.equal(relay.component, 'switch', 'relay.set {on: bool} is a switch');
  t.equal(button.component, 'button', 'counter.increment is a button');
  t.match(speed, { component: 'number', config: { unit_of_measurement: 'rpm', step: 1 } }, 'motor.set_speed');
  t.notOk(ha.entity(`${dev}_c_bridge_ping`), 'bridge.* commands are not controls');

  // HA turns the relay on: the firmware's relay follows, and the switch's state with it
  await ha.client.publishAsync(String(relay.config['command_topic']), 'ON', { qos: 1 });
  await until(() => registry.get(SERIAL)?.telemetry['relay'] === true, 'relay on in the device');
  await until(() => ha.state(relay) === 'ON', 'switch state ON in HA');
  const counter = Number(registry.get(SERIAL)?.telemetry['counter'] ?? 0);
  await ha.client.publishAsync(String(button.config['command_topic']), 'PRESS', { qos: 1 });
  await until(() => Number(registry.get(SERIAL)?.telemetry['counter']) > counter, 'button pressed the counter');

  const before = (health.report()['homeAssistant'] as { refused: number }).refused;
  await ha.client.publishAsync(String(relay.config['command_topic']), 'maybe', { qos: 1 });
  await ha.client.publishAsync(`${R}/ha/${SERIAL}/set/no.such`, 'PRESS', { qos: 1 });
  await until(
    () => (health.report()['homeAssistant'] as { refused: number }).refused === before + 2,
    'two refusals counted',
  );
  t.equal(registry.get(SERIAL)?.telemetry['relay'], true, 'a bad payload changes nothing');

  // an MQTT device: its telemetry keys become sensors as they appear
  const lamp = await connectMqtt(t, gw.url, { clientId: 'lamp-7' });
  await lamp.publishAsync(`${R}/agents/lamp-7/hello`, JSON.stringify({ kind: 'device', capabilities: ['light.set'] }));
  await lamp.publishAsync(`${R}/agents/lamp-7/telemetry`, JSON.stringify({ values: { on: true, powerW: 7.5 } }));
  const power = await until(() => ha.entity('lamp-7_t_powerW'), 'lamp power sensor');
  const on = await until(() => ha.entity('lamp-7_t_on'), 'lamp on binary_sensor');
  t.equal(on.component, 'binary_sensor');
  t.notOk('unit_of_measurement' in power.config, 'no unit declared, none invented');
  await until(() => ha.state(power) === '7.5' && ha.state(on) === 'ON', 'lamp values in HA');

  // HA restarted (its retained configs are gone from its memory): the birth message brings everything back
  const count = ha.configs.size;
  ha.configs.clear();
  await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await until(() => ha.configs.size >= count, 'every config announced again after the birth message');

  // availability follows the agent
  const status = await until(() => ha.entity('lamp-7_status'), 'lamp connectivity');
  await lamp.publishAsync(`${R}/agents/lamp-7/status`, JSON.stringify({ status: 'offline' }), { retain: true });
  await until(() => !ha.available(power), 'lamp sensors unavailable when it is offline');
  await until(() => ha.state(status) === 'OFF', 'connectivity OFF (and still available)');
  t.ok(ha.available(status), 'the connectivity entity stays available');
});

t.test('off by default: nothing under the discovery prefix', async (t) => {
  const gw = await startGateway(t);
  const ha = new HaMirror(await connectMqtt(t, gw.url, { clientId: 'hass2' }));
  await ha.start([]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(ha.configs.size, 0);
  t.notOk('homeAssistant' in gw.gateway.context.health.report());
});

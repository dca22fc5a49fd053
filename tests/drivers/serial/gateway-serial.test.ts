// The serial driver inside a gateway: config.serial lists a socat PTY with the gcc-built device on its other end.
// The device appears in the agent table, a command through the gateway's dispatcher reaches it and returns its
// ACK, `agentos ota` updates it with progress, and unplug/replug moves it offline and back online.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../../runtime/cli/main.js';
import { until } from '../../firmware-bridge/fixtures/until.js';
import { startGateway } from '../../helpers/gateway.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';

const bench = simDeviceBench('serial-gw-');
const dir = bench.dir;
const flashed = join(dir, 'flashed.bin');
const { pair, sim } = bench.device('gw1', ['--ota-out', flashed]);
const agentId = 'serial-gw1';

t.teardown(() => bench.stop());

t.test('a serial device served by the gateway', async (t) => {
  await pair.start();
  sim.start();
  const gw = await startGateway(t, {
    config: { serial: { ports: [{ path: pair.hostPath, baudRate: 115200 }], ackTimeoutMs: 300, reconnectPollMs: 50 } },
  });
  const { registry, commands } = gw.gateway.context;
  const agent = await until(
    () => (registry.get(agentId)?.status === 'online' ? registry.get(agentId) : undefined),
    'agent in the table',
  );
  t.ok(agent.capabilities.includes('motor.set_speed'));
  t.equal(agent.metadata['driver'], 'serial');
  await until(() => typeof registry.get(agentId)?.telemetry['temperature'] === 'number', 'telemetry in the table');

  const r = await commands.send({ agentId, name: 'relay.set', params: { on: true }, timeoutMs: 5000 });
  t.match(r, { ok: true, code: 0, result: { relay: true } }, 'command through the dispatcher, ACK from the device');
  const nack = await commands.send({ agentId, name: 'motor.set_speed', params: { rpm: 1e6 }, timeoutMs: 5000 });
  t.match(nack, { ok: false, code: 2 });

  const image = randomBytes(20 * 1024);
  const imagePath = join(dir, 'fw.bin');
  writeFileSync(imagePath, image);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['ota', agentId, imagePath, '--version', '9.9.9', '--url', gw.url], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: {},
  });
  t.equal(code, 0, err.join('\n'));
  t.match(out.at(-1), /^ota serial-gw1: verified 20480 bytes, crc32 0x[0-9a-f]{8}$/);
  t.ok(
    // the queued state is printed first; a fast transfer may go from there to done between two polls
    out.some((l) => /(queued|running) \d+\/20480 bytes/.test(l)),
    'progress lines were shown',
  );
  await until(() => existsSync(flashed), 'flashed image');
  t.ok(readFileSync(flashed).equals(image), 'device holds the image');

  const bad = await main(['ota', 'lamp-1', imagePath, '--url', gw.url], {
    out: () => {},
    err: (l) => err.push(l),
    env: {},
  });
  t.equal(bad, 1);
  t.match(err.at(-1), /not a serial or BLE agent/);

  await pair.kill();
  await until(() => registry.get(agentId)?.status === 'offline', 'offline after unplug');
  await pair.start();
  await until(() => registry.get(agentId)?.status === 'online', 'online after replug');
  const again = await commands.send({ agentId, name: 'counter.increment', params: {}, timeoutMs: 5000 });
  t.equal(again.ok, true, 'commands work after replug');
});

// A device built with a small buffer announces 64 bytes in HELLO_ACK: the driver uses the lower limit, reads its
// capabilities over several CAPS pages, and sends OTA chunks that fit.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SerialDriver } from '../../../drivers/serial/index.js';
import { EventLog } from '../../firmware-bridge/fixtures/driver-harness.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';

const bench = simDeviceBench('serial-neg-');
const flashed = join(bench.dir, 'flashed.bin');
const { pair, sim } = bench.device('tiny', ['--payload-max', '64', '--ota-out', flashed]);
const log = new EventLog();
const driver = new SerialDriver({
  ports: [{ path: pair.hostPath, baudRate: 9600 }],
  ackTimeoutMs: 300,
  reconnectPollMs: 50,
  keepaliveMs: 300,
});

t.teardown(async () => {
  await driver.stop();
  await bench.stop();
});

t.test('a 64-byte device: paged CAPS, small frames, small OTA chunks', async (t) => {
  await pair.start();
  sim.start();
  await driver.start(log.ctx);
  const reg = await log.waitFor('register', (e) => e.agentId === 'serial-tiny', 'register');
  t.equal(reg.metadata['payloadBytesMax'], 64, 'negotiated down to the device limit');
  const props = JSON.parse(String(reg.metadata['properties'])) as unknown[];
  const cmds = JSON.parse(String(reg.metadata['commands'])) as unknown[];
  t.equal(props.length, 4, 'all properties despite paging');
  t.equal(cmds.length, 4, 'all commands despite paging');
  // telemetry no longer fits one 64-byte frame: the device splits it, every field still arrives
  const seen = new Set<string>();
  await log.waitFor(
    'telemetry',
    (e) => {
      for (const k of Object.keys(e.values)) seen.add(k);
      return ['relay', 'temperature', 'motor_rpm', 'counter'].every((k) => seen.has(k));
    },
    'every telemetry field',
  );
  const r = await driver.sendCommand({
    requestId: 'r-motor',
    agentId: 'serial-tiny',
    name: 'motor.set_speed',
    params: { rpm: -700 },
    timeoutMs: 5000,
  });
  t.same(r.result, { motor_rpm: -700 });
  await t.rejects(
    driver.sendCommand({
      requestId: 'r-big',
      agentId: 'serial-tiny',
      name: 'relay.set',
      params: { note: 'x'.repeat(80) },
      timeoutMs: 5000,
    }),
    /command is \d+ bytes, the device accepts 64 \[request=r-big\]/,
  );
  const image = randomBytes(3000);
  const chunks: number[] = [];
  let last = 0;
  const res = await driver.ota('serial-tiny', image, {
    onProgress: (p) => {
      if (p.phase === 'transfer') chunks.push(p.sentBytes - last);
      last = p.sentBytes;
    },
  });
  t.ok(Math.max(...chunks) <= 56, 'chunks fit 64 - 8 bytes of TLV overhead');
  t.equal(res.chunksSent, Math.ceil(3000 / 56));
  t.ok(readFileSync(flashed).equals(image));
  await t.rejects(driver.ota('serial-tiny', image, { chunkBytes: 100 }), /chunkBytes must be an integer 1\.\.56/);
});

t.test('keepalive: a device that stops answering goes offline, and comes back when it answers again', async (t) => {
  const from = log.events.length;
  sim.pause();
  t.teardown(() => sim.resume());
  const off = await log.waitFor('status', (e) => e.status === 'offline', 'offline after missed PINGs', from);
  t.match(off.reason, /re-handshake failed/);
  sim.resume();
  await log.waitFor('status', (e) => e.status === 'online', 'online again', from);
  t.ok(
    log.logs.some((l) => l.includes('serial keepalive failed')),
    'the keepalive failure was logged',
  );
});

// The serial driver against the gcc-built simulated device over socat PTY pairs: handshake and CAPS -> register,
// telemetry, commands with ACK/NACK, a retry after a dropped command frame, de-duplication after a dropped ACK, and
// a timeout that names the request.
import t from 'tap';
import { SerialDriver } from '../../../drivers/serial/index.js';
import { EventLog } from '../../firmware-bridge/fixtures/driver-harness.js';
import { until } from '../../firmware-bridge/fixtures/until.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';

const bench = simDeviceBench('serial-driver-');
// A: telemetry every 100 ms; loses the first COMMAND frame it receives (counted by type, so handshake retries
// cannot shift it)
const { pair: pairA, sim: simA } = bench.device('aaa1', [
  '--telemetry-ms',
  '100',
  '--drop-rx',
  '1',
  '--drop-rx-type',
  '6',
]);
// B: no telemetry; loses the ACK of the first command it executes
const { pair: pairB, sim: simB } = bench.device('bbb2', ['--telemetry-ms', '0', '--drop-reply', '1']);
const log = new EventLog();
const driver = new SerialDriver({
  ports: [
    { path: pairA.hostPath, baudRate: 115200 },
    { path: pairB.hostPath, baudRate: 115200, agentId: 'board-b' },
  ],
  ackTimeoutMs: 300,
  retriesMax: 3,
  reconnectPollMs: 50,
  keepaliveMs: 0, // the timeout test pauses device B; a keepalive would re-greet it meanwhile
});

const cmd = (agentId: string, name: string, params: Record<string, unknown>, requestId: string) =>
  driver.sendCommand({ requestId, agentId, name, params, timeoutMs: 5000 });

t.teardown(async () => {
  await driver.stop();
  await bench.stop();
});

t.test('options are checked with errors naming the field', async (t) => {
  t.throws(() => new SerialDriver({ ports: [{ path: '', baudRate: 9600 }] }), /ports\[0\]\.path/);
  t.throws(() => new SerialDriver({ ports: [{ path: '/dev/x', baudRate: 0 }] }), /ports\[0\]\.baudRate/);
  t.throws(() => new SerialDriver({ ports: [], ackTimeoutMs: -1 }), /ackTimeoutMs/);
});

t.test('handshake turns CAPS into a register event, then online', async (t) => {
  await Promise.all([pairA.start(), pairB.start()]);
  simA.start();
  simB.start();
  await driver.start(log.ctx);
  await driver.start(log.ctx); // idempotent
  const reg = await log.waitFor('register', (e) => e.agentId === 'serial-aaa1', 'register of device A');
  t.same(reg.kind, 'device');
  for (const c of ['relay', 'thermometer', 'motor', 'relay.set', 'motor.set_speed', 'counter.increment']) {
    t.ok(reg.capabilities.includes(c), `capability ${c}`);
  }
  t.equal(reg.metadata['firmware'], 'agentos-sim-board');
  t.equal(reg.metadata['uid'], 'aaa1');
  t.equal(reg.metadata['payloadBytesMax'], 512);
  const props = JSON.parse(String(reg.metadata['properties'])) as { name: string; unit: string; type: string }[];
  t.match(props, [
    { name: 'relay', type: 'bool' },
    { name: 'temperature', type: 'f32', unit: 'C' },
    { name: 'motor_rpm', type: 'i32', unit: 'rpm' },
    { name: 'counter', type: 'u32' },
  ]);
  const cmds = JSON.parse(String(reg.metadata['commands'])) as {
    name: string;
    params: { name: string; unit: string }[];
  }[];
  t.match(
    cmds.find((c) => c.name === 'motor.set_speed'),
    { params: [{ name: 'rpm', unit: 'rpm', type: 'i32' }] },
  );
  await log.waitFor('status', (e) => e.agentId === 'serial-aaa1' && e.status === 'online', 'A online');
  await log.waitFor('register', (e) => e.agentId === 'board-b', 'register of device B (configured id)');
  t.ok(driver.owns('serial-aaa1') && driver.owns('board-b') && !driver.owns('other'), 'owns its agents only');
});

t.test('telemetry becomes telemetry events with values and resource use', async (t) => {
  const from = log.events.length;
  const tel = await log.waitFor('telemetry', (e) => e.agentId === 'serial-aaa1', 'telemetry from A', from);
  t.type(tel.values['temperature'], 'number');
  t.ok(
    (tel.values['temperature'] as number) >= 19 && (tel.values['temperature'] as number) <= 26,
    'plausible temperature',
  );
  t.equal(tel.values['relay'], false);
  t.equal(tel.values['motor_rpm'], 0);
  t.ok(tel.use && typeof tel.use.cpu === 'number', 'res.cpu mapped to use.cpu');
  t.notOk('res.cpu' in tel.values, 'resource fields are not values');
  t.ok(Math.abs(tel.tsMs - Date.now()) < 60_000, 'device time synced by TIME_SYNC');
  t.equal(log.of('telemetry', 'board-b').length, 0, 'B sends none (--telemetry-ms 0)');
});

t.test('a command whose frame was dropped is retried and acknowledged once', async (t) => {
  const session = driver.session('serial-aaa1')!;
  const before = session.retransmissions;
  const r = await driver.sendCommand({
    requestId: 'r-inc-a',
    agentId: 'serial-aaa1',
    name: 'counter.increment',
    params: {},
    timeoutMs: 5000,
  });
  t.same(r, { requestId: 'r-inc-a', ok: true, code: 0, result: { counter: 1 } });
  t.ok(session.retransmissions > before, 'the host retransmitted');
  // stderr and the PTY are separate pipes: wait for the sim's note instead of assuming its order
  t.ok(await until(() => /dropped incoming frame \(type 0x06/.test(simA.stderr), 'sim A drop note'), 'COMMAND lost');
  const from = log.events.length;
  const relay = await driver.sendCommand({
    requestId: 'r-relay',
    agentId: 'serial-aaa1',
    name: 'relay.set',
    params: { on: true },
    timeoutMs: 5000,
  });
  t.same(relay.result, { relay: true });
  const entry = await log.waitFor('log', (e) => e.agentId === 'serial-aaa1', 'LOG frame from the device', from);
  t.match(entry, { level: 'info', message: 'relay on' });
  await log.waitFor(
    'telemetry',
    (e) => e.agentId === 'serial-aaa1' && e.values['relay'] === true,
    'telemetry shows relay on',
    from,
  );
  const motor = await driver.sendCommand({
    requestId: 'r-motor',
    agentId: 'serial-aaa1',
    name: 'motor.set_speed',
    params: { rpm: 1500 },
    timeoutMs: 5000,
  });
  t.same(motor.result, { motor_rpm: 1500 });
});

t.test('a retransmitted command whose ACK was lost is not executed twice', async (t) => {
  const r1 = await driver.sendCommand({
    requestId: 'r-inc-b1',
    agentId: 'board-b',
    name: 'counter.increment',
    params: {},
    timeoutMs: 5000,
  });
  t.same(r1.result, { counter: 1 }, 'the replayed ACK carries the first result');
  t.ok(driver.session('board-b')!.retransmissions >= 1, 'the host retransmitted after the lost ACK');
  t.ok(await until(() => /dropped outgoing frame/.test(simB.stderr), 'sim B drop note'), 'the device lost the ACK');
  const r2 = await driver.sendCommand({
    requestId: 'r-inc-b2',
    agentId: 'board-b',
    name: 'counter.increment',
    params: {},
    timeoutMs: 5000,
  });
  t.same(r2.result, { counter: 2 }, 'the counter moved once per request');
});

t.test('NACKs carry the device result code', async (t) => {
  const bad = await driver.sendCommand({
    requestId: 'r-bad',
    agentId: 'board-b',
    name: 'motor.set_speed',
    params: { rpm: 99999 },
    timeoutMs: 5000,
  });
  t.match(bad, { requestId: 'r-bad', ok: false, code: 2 });
  const unknown = await driver.sendCommand({
    requestId: 'r-unk',
    agentId: 'board-b',
    name: 'fly',
    params: {},
    timeoutMs: 5000,
  });
  t.match(unknown, { ok: false, code: 1 });
  const fail = await driver.sendCommand({
    requestId: 'r-fail',
    agentId: 'board-b',
    name: 'selftest.fail',
    params: {},
    timeoutMs: 5000,
  });
  t.match(fail, { ok: false, code: 4 });
  await t.rejects(
    driver.sendCommand({
      requestId: 'r-obj',
      agentId: 'board-b',
      name: 'relay.set',
      params: { on: { x: 1 } },
      timeoutMs: 5000,
    }),
    /param "on".*request=r-obj/,
  );
  await t.rejects(
    driver.sendCommand({ requestId: 'r-none', agentId: 'nobody', name: 'x', params: {}, timeoutMs: 5000 }),
    /does not own agent nobody \[request=r-none\]/,
  );
});

t.test('protocol commands: ping, sleep and wake', async (t) => {
  const pong = await driver.sendCommand({
    requestId: 'r-ping',
    agentId: 'board-b',
    name: 'bridge.ping',
    params: {},
    timeoutMs: 5000,
  });
  t.match(pong, { ok: true, result: { uptimeMs: Number } });
  const sleep = await driver.sendCommand({
    requestId: 'r-sleep',
    agentId: 'serial-aaa1',
    name: 'bridge.sleep',
    params: { durationMs: 60_000 },
    timeoutMs: 5000,
  });
  t.equal(sleep.ok, true);
  const wake = await driver.sendCommand({
    requestId: 'r-wake',
    agentId: 'serial-aaa1',
    name: 'bridge.wake',
    params: {},
    timeoutMs: 5000,
  });
  t.equal(wake.ok, true);
  const from = log.events.length;
  await log.waitFor('telemetry', (e) => e.agentId === 'serial-aaa1', 'telemetry resumes after WAKE', from);
  const nap = await cmd('serial-aaa1', 'bridge.sleep', { durationMs: 200 }, 'r-nap');
  t.equal(nap.ok, true);
  await log.waitFor(
    'log',
    (e) => e.agentId === 'serial-aaa1' && e.message === 'device woke up',
    'WAKE after a nap',
    from,
  );
  await t.rejects(cmd('serial-aaa1', 'bridge.sleep', {}, 'r-sleep-bad'), /param "durationMs"/);
});

t.test('RESET: the device restarts and is greeted again', async (t) => {
  const from = log.events.length;
  const r = await cmd('board-b', 'bridge.reset', {}, 'r-reset');
  t.equal(r.ok, true);
  await log.waitFor('register', (e) => e.agentId === 'board-b', 'register again after RESET', from);
  const c = await cmd('board-b', 'counter.increment', {}, 'r-after-reset');
  t.same(c.result, { counter: 1 }, 'the board state was reset');
});

t.test('a device that stops answering times out with an error naming the request', async (t) => {
  simB.pause();
  t.teardown(() => simB.resume());
  await t.rejects(
    driver.sendCommand({
      requestId: 'r-timeout',
      agentId: 'board-b',
      name: 'relay.set',
      params: { on: true },
      timeoutMs: 2000,
    }),
    /^Timeout after 1200 ms \[agent=board-b request=r-timeout seq=\d+\]$/,
  );
  await t.rejects(
    driver.sendCommand({
      requestId: 'r-timeout2',
      agentId: 'board-b',
      name: 'relay.set',
      params: { on: true },
      timeoutMs: 700,
    }),
    /^Timeout after 700 ms \[agent=board-b request=r-timeout2 seq=\d+\]$/,
  );
  simB.resume();
  const r = await driver.sendCommand({
    requestId: 'r-after',
    agentId: 'board-b',
    name: 'counter.increment',
    params: {},
    timeoutMs: 5000,
  });
  t.equal(r.ok, true, 'answers again once resumed');
});

// OTA over a socat PTY pair to the gcc-built device: the cable is pulled (socat killed) mid-transfer, the agent goes
// offline, comes back online when the port reappears, and a second OTA call resumes from the device's offset. The
// device writes the verified image to a file that must equal the one sent. A line that corrupts one chunk makes
// the device's CRC-32 check fail.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { OtaError, type OtaProgress, SerialDriver, sendOta } from '../../../drivers/serial/index.js';
import { MsgType, readTlvs, Tag, TlvWriter } from '../../../firmware-bridge/ts/index.js';
import { EventLog } from '../../firmware-bridge/fixtures/driver-harness.js';
import { until } from '../../firmware-bridge/fixtures/until.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';

const bench = simDeviceBench('serial-ota-');
const imagePath = join(bench.dir, 'flashed.bin');
const { pair, sim } = bench.device('ota1', ['--telemetry-ms', '100', '--ota-out', imagePath]);
const log = new EventLog();
const driver = new SerialDriver({
  ports: [{ path: pair.hostPath, baudRate: 115200 }],
  ackTimeoutMs: 300,
  reconnectPollMs: 50,
});
const agent = 'serial-ota1';
const image = randomBytes(48 * 1024);

t.teardown(async () => {
  await driver.stop();
  await bench.stop();
});

t.test('device comes online', async () => {
  await pair.start();
  sim.start();
  await driver.start(log.ctx);
  await log.waitFor('status', (e) => e.agentId === agent && e.status === 'online', 'online');
});

t.test('unplug during OTA: offline, replug: online, second call resumes and verifies', async (t) => {
  const first: OtaProgress[] = [];
  const session = driver.session(agent)!;
  let pulled = false;
  // the cable is pulled between two chunks once 40% went out: the sender waits until socat is gone, so the
  // interruption cannot race with the end of the transfer
  const unplugging = {
    payloadBytesMax: session.payloadBytesMax,
    request: async (type: number, payload: Buffer, opts: { timeoutMs?: number; label: Record<string, string> }) => {
      const sent = first.at(-1)?.sentBytes ?? 0;
      if (type === MsgType.OTA_CHUNK && !pulled && sent >= image.length * 0.4) {
        pulled = true;
        await pair.kill();
      }
      return session.request(type, payload, opts);
    },
  };
  const interrupted = sendOta(unplugging, agent, image, { version: '2.0.0', onProgress: (p) => first.push(p) });
  await t.rejects(interrupted, /lost|Timeout|not connected/, 'the interrupted transfer fails');
  t.ok(pulled);
  const offline = await log.waitFor(
    'status',
    (e) => e.agentId === agent && e.status === 'offline',
    'offline after unplug',
  );
  t.match(offline.reason, /lost/);
  t.notOk(driver.isOnline(agent));
  await t.rejects(
    driver.sendCommand({
      requestId: 'r-off',
      agentId: agent,
      name: 'relay.set',
      params: { on: true },
      timeoutMs: 1000,
    }),
    /offline \[request=r-off\]/,
  );

  const mark = log.events.length;
  await pair.start(); // plug it back in
  await log.waitFor('status', (e) => e.agentId === agent && e.status === 'online', 'online after replug', mark);
  await log.waitFor('telemetry', (e) => e.agentId === agent, 'telemetry after replug', mark);

  const second: OtaProgress[] = [];
  const r = await driver.ota(agent, image, { version: '2.0.0', onProgress: (p) => second.push(p) });
  const reached = Math.max(...first.map((p) => p.sentBytes));
  t.ok(r.resumedFromBytes > 0, `resumed from ${r.resumedFromBytes} bytes`);
  t.ok(r.resumedFromBytes <= reached, 'not beyond what the first call had sent');
  t.ok(r.resumedFromBytes >= image.length * 0.3, 'most of the first part was kept');
  t.equal(second[0]?.resumedFromBytes, r.resumedFromBytes, 'progress reports the resume point');
  t.equal(second.at(-1)?.phase, 'done');
  t.ok(
    second.every((p, i) => i === 0 || p.sentBytes >= second[i - 1]!.sentBytes),
    'progress is monotonic',
  );
  await until(() => existsSync(imagePath), 'image file');
  t.ok(readFileSync(imagePath).equals(image), 'the device stored exactly the image');

  const again = await driver.ota(agent, image, { version: '2.0.0' });
  t.equal(again.chunksSent, 0, 'an image already verified is not sent again');
});

t.test('a corrupted chunk makes the device CRC-32 check fail', async (t) => {
  const session = driver.session(agent)!;
  let tampered = false;
  const corrupting = {
    payloadBytesMax: session.payloadBytesMax,
    request: (type: number, payload: Buffer, opts: { timeoutMs?: number; label: Record<string, string> }) => {
      if (type === MsgType.OTA_CHUNK && !tampered) {
        tampered = true;
        const tlvs = readTlvs(payload)!;
        const data = Buffer.from(tlvs.find((x) => x.tag === Tag.DATA)!.value);
        data[0] = data[0]! ^ 0xff; // one bit pattern flipped on the line, after the sender's CRC
        const w = new TlvWriter();
        for (const x of tlvs) w.put(x.tag, x.tag === Tag.DATA ? data : x.value);
        return session.request(type, w.toBuffer(), opts);
      }
      return session.request(type, payload, opts);
    },
  };
  const other = randomBytes(4096);
  const err = await sendOta(corrupting, agent, other, { version: 'bad' }).catch((e: unknown) => e);
  t.type(err, OtaError);
  t.equal((err as OtaError).code, 7, 'CRC_MISMATCH');
  t.ok(tampered);
  const good = await driver.ota(agent, other, { version: 'good' });
  t.equal(good.resumedFromBytes, 0, 'a failed image starts over');
  t.ok(readFileSync(imagePath).equals(other), 'the clean retry is verified and stored');
});

t.test('a chunk sent at the wrong offset gets BAD_OFFSET and the sender continues where the device is', async (t) => {
  const session = driver.session(agent)!;
  let chunkNo = 0;
  const skipping = {
    payloadBytesMax: session.payloadBytesMax,
    request: (type: number, payload: Buffer, opts: { timeoutMs?: number; label: Record<string, string> }) => {
      if (type === MsgType.OTA_CHUNK && ++chunkNo === 2) {
        const tlvs = readTlvs(payload)!;
        const w = new TlvWriter();
        for (const x of tlvs) w.put(x.tag, x.tag === Tag.OFFSET ? Buffer.from([0, 0x10, 0, 0]) : x.value); // 4096: ahead
        return session.request(type, w.toBuffer(), opts);
      }
      return session.request(type, payload, opts);
    },
  };
  const img = randomBytes(2000);
  const r = await sendOta(skipping, agent, img, { chunkBytes: 100 });
  t.equal(r.chunksSent, 21, '20 chunks plus the refused one');
  t.ok(readFileSync(imagePath).equals(img), 'the image is intact');
});

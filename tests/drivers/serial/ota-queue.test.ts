// The gateway-side OTA queue against three gcc-built devices on socat PTY pairs: at most `concurrencyMax` transfers
// run at once, every device ends with the image, and an attempt that fails half-way is retried and resumes.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type OtaOptions, OtaQueue, type OtaResult, SerialDriver } from '../../../drivers/serial/index.js';
import { EventLog } from '../../firmware-bridge/fixtures/driver-harness.js';
import { simDeviceBench } from '../../helpers/sim-devices.js';

const bench = simDeviceBench('serial-otaq-');
const dir = bench.dir;
const names = ['q1', 'q2', 'q3'];
const devices = names.map((n) => bench.device(n, ['--telemetry-ms', '0', '--ota-out', join(dir, `${n}.bin`)]));
const pairs = devices.map((d) => d.pair);
const sims = devices.map((d) => d.sim);
const log = new EventLog();
const driver = new SerialDriver({
  ports: pairs.map((p) => ({ path: p.hostPath, baudRate: 115200 })),
  ackTimeoutMs: 300,
  reconnectPollMs: 50,
});

t.teardown(async () => {
  await driver.stop();
  await bench.stop();
});

t.test('options and limits', async (t) => {
  const update = async (): Promise<OtaResult> => ({
    agentId: 'x',
    bytes: 1,
    crc32: 0,
    resumedFromBytes: 0,
    chunksSent: 1,
  });
  t.throws(() => new OtaQueue({ update, concurrencyMax: 0 }), /concurrencyMax/);
  const q = new OtaQueue({ update: () => new Promise(() => {}), concurrencyMax: 1, queueLengthMax: 1 });
  const running = q.enqueue({ agentId: 'a', image: Buffer.from([1]) });
  const waiting = q.enqueue({ agentId: 'b', image: Buffer.from([1]) });
  await t.rejects(q.enqueue({ agentId: 'c', image: Buffer.from([1]) }), /queue full \(queueLengthMax=1\) \[agent=c\]/);
  await t.rejects(q.enqueue({ agentId: 'a', image: Buffer.from([1]) }), /already queued for agent a/);
  await q.stop();
  await t.rejects(waiting, /stopped \[agent=b\]/);
  void running.catch(() => undefined);
});

t.test('three devices, two at a time, one retried and resumed', async (t) => {
  await Promise.all(pairs.map((p) => p.start()));
  for (const s of sims) s.start();
  await driver.start(log.ctx);
  for (const n of names)
    await log.waitFor('status', (e) => e.agentId === `serial-${n}` && e.status === 'online', `${n} online`);

  const images = new Map(names.map((n) => [`serial-${n}`, randomBytes(24 * 1024)]));
  let active = 0;
  let activeMax = 0;
  let sabotaged = false;
  const update = async (agentId: string, image: Uint8Array, o: OtaOptions): Promise<OtaResult> => {
    active++;
    activeMax = Math.max(activeMax, active);
    try {
      if (agentId === 'serial-q2' && !sabotaged) {
        sabotaged = true; // first attempt on q2 is cut off half-way, as a dropped link would
        const ctl = new AbortController();
        return await driver.ota(agentId, image, {
          ...o,
          signal: ctl.signal,
          onProgress: (p) => {
            o.onProgress?.(p);
            if (p.sentBytes >= image.length / 2) ctl.abort(new Error('link cut'));
          },
        });
      }
      return await driver.ota(agentId, image, o);
    } finally {
      active--;
    }
  };
  const attempts: Record<string, number> = {};
  const queue = new OtaQueue({
    update,
    concurrencyMax: 2,
    retryDelayMs: 50,
    onProgress: (p) => {
      attempts[p.agentId] = Math.max(attempts[p.agentId] ?? 0, p.attempt);
    },
  });
  t.teardown(() => queue.stop());
  const results = await Promise.all(
    [...images].map(([agentId, image]) => queue.enqueue({ agentId, image, version: '3.0' })),
  );
  t.equal(activeMax, 2, 'never more than concurrencyMax transfers at once');
  t.same(queue.counts, { done: 3, failed: 0, attempts: 4 });
  t.equal(attempts['serial-q2'], 2, 'q2 needed a second attempt');
  const q2 = results.find((r) => r.agentId === 'serial-q2')!;
  t.ok(q2.resumedFromBytes >= 12 * 1024, `q2 resumed from ${q2.resumedFromBytes}`);
  for (const n of names) {
    t.ok(readFileSync(join(dir, `${n}.bin`)).equals(images.get(`serial-${n}`)!), `${n} stored its image`);
  }
});

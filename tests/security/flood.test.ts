// Flood limits on a real broker: a flooding client is throttled then cut off while a well-behaved client keeps
// working; oversized payloads and packets, too many connections and a subscriber that never reads are handled.
import t from 'tap';
import { collect, connackCode, startHarness, waitFor } from './harness.js';
import { connectPacket, publishPacket, rawConnect, subscribePacket, varint } from './raw-mqtt.js';

const R = 'agentos/v1';

t.test('a flooding client is cut off, a well-behaved one keeps working', async (t) => {
  const h = await startHarness({ flood: { messagesPerS: 50, burstMessages: 50, throttleMsMax: 1000 } });
  t.teardown(h.close);
  const bad = await h.store.add({ id: 'noisy', kind: 'agent' });
  const good = await h.store.add({ id: 'calm', kind: 'agent' });
  const ops = await h.store.add({ id: 'ops', kind: 'operator', role: 'admin' });
  const watcher = await h.connect({ clientId: 'ops', username: 'ops', password: ops.secret });
  const got = collect(watcher);
  await watcher.subscribeAsync(`${R}/agents/+/telemetry`, { qos: 1 });
  const calm = await h.connect({ clientId: 'calm', username: 'calm', password: good.secret });
  const noisy = await h.connect({ clientId: 'noisy', username: 'noisy', password: bad.secret });
  const noisyClosed = new Promise<void>((r) => noisy.once('close', () => r()));

  const payload = Buffer.alloc(100, 1);
  for (let i = 0; i < 20_000; i++) noisy.publish(`${R}/agents/noisy/telemetry`, payload);
  // the well-behaved client sends 20 messages at 20 msg/s during the flood; every one must get through
  for (let i = 0; i < 20; i++) {
    await calm.publishAsync(`${R}/agents/calm/telemetry`, JSON.stringify({ i }), { qos: 1 });
    await new Promise((r) => setTimeout(r, 50));
  }
  await noisyClosed;
  t.pass('the flooding client was disconnected');
  await waitFor('all 20 calm messages', () => got.filter((m) => m.topic.includes('/calm/')).length === 20);
  t.ok(calm.connected, 'the well-behaved client is still connected');
  const noisyDelivered = got.filter((m) => m.topic.includes('/noisy/')).length;
  t.ok(noisyDelivered < 2000, `only ${noisyDelivered} of 20000 flood messages got through`);
  t.ok(h.flood.stats.throttled > 0, `throttled ${h.flood.stats.throttled} times before the cut-off`);
  t.equal(h.denials.count('flood', 'rate'), 1, 'one rate denial counted');

  // reconnecting does not buy a fresh burst
  const again = await h.connect({ clientId: 'noisy', username: 'noisy', password: bad.secret });
  const againClosed = new Promise<void>((r) => again.once('close', () => r()));
  for (let i = 0; i < 2000; i++) again.publish(`${R}/agents/noisy/telemetry`, payload);
  await againClosed;
  t.pass('a reconnecting flooder is cut off again');
});

t.test('payload and packet size limits', async (t) => {
  const h = await startHarness({ payloadBytesMax: 8 * 1024, flood: { packetBytesMax: 16 * 1024 } });
  t.teardown(h.close);
  const a = await h.store.add({ id: 'cam', kind: 'agent' });
  const ops = await h.store.add({ id: 'ops', kind: 'operator', role: 'admin' });
  const watcher = await h.connect({ clientId: 'ops', username: 'ops', password: ops.secret });
  const got = collect(watcher);
  await watcher.subscribeAsync('#', { qos: 1 });
  const cam = await h.connect({ clientId: 'cam', username: 'cam', password: a.secret });
  const camClosed = new Promise<void>((r) => cam.once('close', () => r()));
  cam.publish(`${R}/agents/cam/telemetry`, Buffer.alloc(12 * 1024));
  await camClosed;
  t.equal(h.denials.count('publish', 'payload-too-large'), 1, 'payload over 8 KiB refused');

  // a raw client announcing a 100 MB packet is cut off before the broker buffers it
  const raw = await rawConnect(h.port);
  raw.socket.write(connectPacket('cam', 'cam', a.secret));
  raw.socket.write(Buffer.concat([Buffer.from([0x30]), varint(100 * 1024 * 1024), Buffer.alloc(64 * 1024)]));
  await raw.closed;
  t.equal(h.flood.stats.oversized, 1, 'oversized packet detected on the wire');
  t.equal(got.filter((m) => m.topic.startsWith(R)).length, 0, 'nothing oversized was delivered');
  const malformed = await rawConnect(h.port);
  malformed.socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]));
  await malformed.closed;
  t.pass('a malformed remaining length closes the connection');
});

t.test('connection limits per IP and in total', async (t) => {
  const h = await startHarness({ flood: { connectionsPerIpMax: 5, connectionsMax: 8 } });
  t.teardown(h.close);
  const socks = await Promise.all(Array.from({ length: 5 }, () => rawConnect(h.port)));
  await waitFor('five connections admitted', () => h.flood.connectionCount === 5);
  const sixth = await rawConnect(h.port);
  await sixth.closed;
  t.pass('the sixth connection from one IP is closed at once');
  t.equal(h.flood.stats.connectionsRefused, 1, 'refusal counted');
  for (const s of socks) s.socket.destroy();
  await Promise.all(socks.map((s) => s.closed));
  await waitFor('connections released', () => h.flood.connectionCount === 0);
  const a = await h.store.add({ id: 'lamp', kind: 'agent' });
  const c = await h.connect({ clientId: 'lamp', username: 'lamp', password: a.secret });
  t.ok(c.connected, 'slots are given back when sockets close');
});

t.test('a subscriber that never reads is disconnected, not buffered without bound', async (t) => {
  const h = await startHarness({
    flood: { outgoingBytesMax: 256 * 1024, messagesPerS: 100_000, burstMessages: 100_000 },
  });
  t.teardown(h.close);
  const slow = await h.store.add({ id: 'slow', kind: 'operator', role: 'viewer' });
  const pub = await h.store.add({ id: 'cam', kind: 'agent' });
  const raw = await rawConnect(h.port);
  raw.socket.write(connectPacket('slow', 'slow', slow.secret));
  raw.socket.write(subscribePacket(1, `${R}/#`));
  await waitFor('slow subscriber registered', () => h.security.sessionCount('slow') === 1);
  await new Promise((r) => setTimeout(r, 200)); // let the SUBSCRIBE be processed
  raw.socket.pause(); // stops reading: the kernel buffers fill, then the broker's
  const cam = await h.connect({ clientId: 'cam', username: 'cam', password: pub.secret });
  const chunk = Buffer.alloc(32 * 1024, 7);
  let sent = 0;
  while (h.security.sessionCount('slow') > 0 && sent < 4000) {
    await cam.publishAsync(`${R}/agents/cam/telemetry`, chunk, { qos: 1 });
    sent++;
  }
  await waitFor('slow subscriber cut off', () => h.flood.stats.slowConsumers >= 1);
  t.ok(h.flood.stats.slowConsumers >= 1, `cut off after ${sent} messages of 32 KiB`);
  t.ok(cam.connected, 'the publisher is unaffected');
  raw.socket.destroy();
});

t.test('invalid UTF-8 and NUL in raw topics are refused', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const a = await h.store.add({ id: 'lamp', kind: 'agent' });
  const ops = await h.store.add({ id: 'ops', kind: 'operator', role: 'admin' });
  const watcher = await h.connect({ clientId: 'ops', username: 'ops', password: ops.secret });
  const got = collect(watcher);
  await watcher.subscribeAsync('#', { qos: 1 });
  const bad = [
    Buffer.concat([Buffer.from(`${R}/agents/lamp/`), Buffer.from([0xc3, 0x28])]),
    Buffer.concat([Buffer.from(`${R}/agents/lamp/`), Buffer.from([0xed, 0xa0, 0x80])]),
    Buffer.from(`${R}/agents/lamp/t\u0000x`),
    Buffer.from(`${R}/agents/lamp//telemetry`),
  ];
  for (const topic of bad) {
    const raw = await rawConnect(h.port);
    raw.socket.write(connectPacket('lamp', 'lamp', a.secret));
    raw.socket.write(publishPacket(topic, Buffer.from('{}')));
    await raw.closed;
  }
  t.equal(got.length, 0, 'no odd topic was delivered');
  t.ok(h.denials.count('publish', 'bad-topic') >= 3, 'bad topics counted (aedes itself refuses some first)');
});

t.test('password guessing from one IP stops costing scrypt; known clients still get in', async (t) => {
  const h = await startHarness({ flood: { authFailuresPerMinMax: 5 } });
  t.teardown(h.close);
  const known = await h.store.add({ id: 'known', kind: 'agent' });
  const fresh = await h.store.add({ id: 'fresh', kind: 'agent' });
  const first = await h.connect({ clientId: 'known', username: 'known', password: known.secret });
  first.end(true);
  for (let i = 0; i < 6; i++) {
    t.equal(
      await connackCode(h.url, { clientId: 'known', username: 'known', password: `guess-${i}` }),
      4,
      `guess ${i}`,
    );
  }
  t.equal(
    await connackCode(h.url, { clientId: 'fresh', username: 'fresh', password: fresh.secret }),
    4,
    'a login that would need scrypt is refused from this IP for the rest of the minute',
  );
  t.ok(h.flood.stats.authLimited >= 2, `limited ${h.flood.stats.authLimited} logins`);
  t.ok(h.denials.count('connect', 'auth-rate') >= 1, 'counted as auth-rate denials');
  const again = await h.connect({ clientId: 'known', username: 'known', password: known.secret });
  t.ok(again.connected, 'a client whose secret verified before reconnects without scrypt');
});

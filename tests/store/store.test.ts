// The store batches writes (a burst of changes is one write), writes durably through its own adapter, flushes on
// stop, and refuses to start over an unreadable file instead of losing it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { topics } from '../../runtime/bus/topics.js';
import { Store } from '../../runtime/store/store.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const logger = pino({ level: 'silent' });

t.test('a burst of changes is written once, on flush; stop() writes what is pending', async (t) => {
  const dataDir = await tempDir(t);
  const store = new Store({ dataDir, flushIntervalMs: 60000, logger });
  await store.start();
  const counters = store.namespace<{ n: number }>('counters', () => ({ n: 0 }));
  for (let i = 0; i < 1000; i++) {
    counters.n++;
    store.markDirty();
  }
  t.equal(store.stats.flushes, 0, 'nothing written inside the batch window');
  await store.stop();
  t.equal(store.stats.flushes, 1, 'one write for 1000 changes');
  const doc = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
  t.same(doc, { schemaVersion: 1, namespaces: { counters: { n: 1000 } } });
  await store.stop();
  t.equal(store.stats.flushes, 1, 'stop is idempotent');
});

t.test('NODE_ENV=test does not turn the store into memory', async (t) => {
  const saved = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'test';
  t.teardown(() => {
    process.env['NODE_ENV'] = saved;
  });
  const dataDir = await tempDir(t);
  const store = new Store({ dataDir, flushIntervalMs: 10, logger });
  await store.start();
  store.namespace('x', () => ({ ok: true }));
  await store.flush();
  await store.stop();
  t.same(JSON.parse(await readFile(store.path, 'utf8')).namespaces, { x: { ok: true } });
});

t.test('an unreadable state file is refused, named, and left as it was', async (t) => {
  const dataDir = await tempDir(t);
  const path = join(dataDir, 'state.json');
  await writeFile(path, '{"schemaVersion":1,"namespaces":{"agents":');
  const store = new Store({ dataDir, flushIntervalMs: 10, logger });
  await t.rejects(store.start(), { message: new RegExp(`state file ${path} is not valid JSON`) });
  t.equal(await readFile(path, 'utf8'), '{"schemaVersion":1,"namespaces":{"agents":', 'file untouched');
  await store.stop();
});

t.test('a telemetry burst through the gateway does not rewrite the file per message', async (t) => {
  const gw = await startGateway(t, { config: { store: { flushIntervalMs: 60000 } } });
  const device = await connectMqtt(t, gw.url);
  const { registry, store } = gw.gateway.context;
  await device.publishAsync(topics.agent('meter-1', 'hello'), '{"kind":"device"}', { qos: 1 });
  // a registration is written at once (the next event-loop turn), not batched
  await waitFor(() => store.stats.flushes === 1 && !store.stats.dirty, 10000, 'the registration written');
  for (let i = 1; i <= 500; i++) {
    await device.publishAsync(topics.agent('meter-1', 'telemetry'), JSON.stringify({ values: { i } }));
  }
  await waitFor(() => registry.get('meter-1')?.telemetry['i'] === 500, 10000, 'the 500th telemetry message');
  t.equal(store.stats.flushes, 1, 'no write during the burst');
  await gw.stop();
  t.equal(store.stats.flushes, 2, 'one write at stop');
  const doc = JSON.parse(await readFile(store.path, 'utf8'));
  t.equal(doc.namespaces.agents['meter-1'].telemetry.i, 500, 'the last value is on disk');
});

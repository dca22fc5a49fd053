// The embedded broker's topic -> subscribers cache (runtime/bus/match-cache.ts): remembered answers must never hide
// a subscription made or removed after they were cached. Checked on the emitter alone, then end to end with real
// MQTT clients on a running gateway while telemetry flows.
import t from 'tap';
import { EmbeddedBroker } from '../../runtime/bus/embedded-broker.js';
import { cachedEmitter } from '../../runtime/bus/match-cache.js';
import { topics } from '../../runtime/bus/topics.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

const WAIT_MS = 20000;

type Listener = (message: { topic: string }, done: () => void) => void;

/** emits one message and resolves once every listener it reached called done */
function emit(mq: ReturnType<typeof cachedEmitter>['mq'], topic: string): Promise<void> {
  return new Promise((resolve, reject) => mq.emit({ topic }, (err) => (err ? reject(err) : resolve())));
}

t.test('the emitter: cached answers follow every add and remove', async (t) => {
  const { mq, cached, stats } = cachedEmitter({ concurrency: 100, topicsMax: 4 });
  t.ok(cached, 'the cache is installed on this mqemitter version');
  const seen: string[] = [];
  const exact: Listener = (m, done) => {
    seen.push(`exact:${m.topic}`);
    done();
  };
  const wildcard: Listener = (m, done) => {
    seen.push(`wild:${m.topic}`);
    done();
  };
  await emit(mq, 'a/b');
  await emit(mq, 'a/b');
  t.same(seen, [], 'no subscriber, nothing delivered');
  t.equal(stats.hits, 1, 'the second emit of a topic is answered from the cache');

  await new Promise<void>((resolve) => mq.on('a/b', exact, resolve));
  await emit(mq, 'a/b');
  t.same(seen, ['exact:a/b'], 'a subscription added after the topic was cached is reached');

  await new Promise<void>((resolve) => mq.on('a/+', wildcard, resolve));
  await emit(mq, 'a/b');
  t.same(seen.slice(1), ['exact:a/b', 'wild:a/b'], 'and so is a wildcard one');

  await new Promise<void>((resolve) => mq.removeListener('a/b', exact, resolve));
  seen.length = 0;
  await emit(mq, 'a/b');
  t.same(seen, ['wild:a/b'], 'a removed subscription is no longer reached');

  seen.length = 0;
  for (const topic of ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'a/6']) await emit(mq, topic);
  t.same(seen, ['wild:a/1', 'wild:a/2', 'wild:a/3', 'wild:a/4', 'wild:a/5', 'wild:a/6'], 'past topicsMax still right');
  t.ok(stats.clears >= 3, 'the cache was cleared on changes and when full');
  await new Promise<void>((resolve) => mq.close(resolve));
});

t.test('a running gateway: MQTT subscribers that come and go while telemetry flows', async (t) => {
  const gw = await startGateway(t);
  const broker = gw.gateway.context.bus;
  if (!(broker instanceof EmbeddedBroker)) throw new Error('expected the embedded broker');
  const { registry } = gw.gateway.context;
  const agentId = 'cache-dev';
  const device = await connectMqtt(t, gw.url, { clientId: agentId });
  await device.publishAsync(topics.agent(agentId, 'hello'), '{"kind":"device"}', { qos: 1 });
  await waitFor(() => registry.get(agentId), WAIT_MS, 'registered');
  const telemetryTopic = topics.agent(agentId, 'telemetry');
  let seq = 0;
  const send = () => device.publishAsync(telemetryTopic, JSON.stringify({ values: { seq: ++seq } }), { qos: 1 });
  for (let i = 0; i < 5; i++) await send();
  await waitFor(() => registry.get(agentId)?.telemetry['seq'] === seq, WAIT_MS, 'telemetry applied');
  t.ok(broker.matchCache.cached, 'the broker runs with its match cache');
  t.ok(broker.matchCache.hits > 0, 'repeated telemetry topics are answered from the cache');

  const watcher = await connectMqtt(t, gw.url, { clientId: 'cache-watcher' });
  const got: number[] = [];
  watcher.on('message', (_topic, payload) =>
    got.push((JSON.parse(payload.toString()) as { values: { seq: number } }).values.seq),
  );
  await watcher.subscribeAsync(topics.anyAgent('telemetry'), { qos: 1 });
  await send();
  await waitFor(() => got.includes(seq), WAIT_MS, 'the new subscriber gets the next message');

  await watcher.unsubscribeAsync(topics.anyAgent('telemetry'));
  const last = seq;
  await send();
  await send();
  // the device's messages are handled in order: once the state below is applied, both telemetry messages were too
  await device.publishAsync(topics.agent(agentId, 'state'), '{"state":{"mark":1}}', { qos: 1 });
  await waitFor(() => registry.get(agentId)?.state['mark'] === 1, WAIT_MS, 'state applied');
  await watcher.publishAsync('cache/ping', 'x', { qos: 1 }); // a round trip on the watcher's own connection
  t.same(
    got.filter((s) => s > last),
    [],
    'after unsubscribing, nothing more arrives',
  );
  t.equal(registry.get(agentId)?.telemetry['seq'], seq, 'the gateway itself got every message');
});

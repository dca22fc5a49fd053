// The MQTT transport against real aedes brokers on loopback (port 0): one broker per node (no single point of
// failure), one shared broker, hostile and misaddressed input, bounded queues, sealed messages with the security
// layer's ClusterAuth, and a Raft cluster electing a leader and committing over it.
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { type Message, makeMessage } from '../../runtime/cluster/raft/types.js';
import { encodeMessage, inboxTopic } from '../../runtime/cluster/transport/codec.js';
import { MqttTransport, type MqttTransportOptions } from '../../runtime/cluster/transport/mqtt-transport.js';
import { ClusterAuth } from '../../runtime/security/cluster-auth.js';
import { startAedes } from '../helpers/aedes-broker.js';
import { waitFor } from '../helpers/wait-for.js';

function node(
  t: Test,
  id: string,
  inboxUrl: string,
  peers: Record<string, string>,
  extra: Partial<MqttTransportOptions> = {},
) {
  const got: Message[] = [];
  const tr = new MqttTransport({
    clusterId: 'site1',
    nodeId: id,
    inboxUrl,
    peers,
    onMessage: (m) => got.push(m),
    reconnectPeriodMs: 100,
    ...extra,
  });
  t.teardown(() => tr.stop());
  return { tr, got };
}

const msg = (from: string, to: string, term: number, extra: Partial<Message> = {}) =>
  makeMessage({ type: 'heartbeat', from, to, term, commit: 3, context: 'c', ...extra });

t.test('one broker per node: messages reach each inbox; losing a broker cuts off only its node', async (t) => {
  const [b1, b2, b3] = [await startAedes(t), await startAedes(t), await startAedes(t)];
  const urls = { n1: b1.url, n2: b2.url, n3: b3.url };
  const peersOf = (id: string) => Object.fromEntries(Object.entries(urls).filter(([k]) => k !== id));
  const n1 = node(t, 'n1', b1.url, peersOf('n1'));
  const n2 = node(t, 'n2', b2.url, peersOf('n2'));
  const n3 = node(t, 'n3', b3.url, peersOf('n3'));
  await Promise.all([n1.tr.start(), n2.tr.start(), n3.tr.start()]);
  await waitFor(
    () => {
      n1.tr.send(msg('n1', 'n2', 1));
      n1.tr.send(msg('n1', 'n3', 1));
      n2.tr.send(msg('n2', 'n1', 1));
      return n2.got.length > 0 && n3.got.length > 0 && n1.got.length > 0;
    },
    10_000,
    'messages between all three nodes',
    50,
  );
  t.same(n2.got[0], msg('n1', 'n2', 1), 'fields survive the trip');
  await b1.close();
  const before = n3.got.length;
  await waitFor(
    () => {
      n2.tr.send(msg('n2', 'n3', 2));
      return n3.got.length > before;
    },
    10_000,
    'n2 -> n3 with n1s broker down',
    50,
  );
  t.pass('n2 and n3 still talk without broker 1');
});

t.test('shared broker mode: every inbox on one broker', async (t) => {
  const b = await startAedes(t);
  const a = node(t, 'a', b.url, { b: b.url });
  const bb = node(t, 'b', b.url, { a: b.url });
  await Promise.all([a.tr.start(), bb.tr.start()]);
  await waitFor(
    () => {
      a.tr.send(msg('a', 'b', 1));
      bb.tr.send(msg('b', 'a', 1));
      return a.got.length > 0 && bb.got.length > 0;
    },
    10_000,
    'both directions',
    50,
  );
  t.equal(bb.got[0]?.from, 'a');
});

t.test('garbage, foreign clusters and misaddressed messages are dropped, not delivered', async (t) => {
  const b = await startAedes(t);
  const n = node(t, 'n1', b.url, {});
  await n.tr.start();
  const intruder = await mqtt.connectAsync(b.url);
  t.teardown(() => intruder.endAsync(true));
  const topic = inboxTopic('agentos', 'site1', 'n1');
  await intruder.publishAsync(topic, 'not json');
  await intruder.publishAsync(topic, encodeMessage('other-site', msg('x', 'n1', 9)));
  await intruder.publishAsync(topic, encodeMessage('site1', msg('x', 'n2', 9)));
  await intruder.publishAsync(
    topic,
    JSON.stringify({ v: 1, cluster: 'site1', msg: { ...msg('x', 'n1', 1), term: -1 } }),
  );
  await intruder.publishAsync(topic, encodeMessage('site1', msg('x', 'n1', 4)));
  await waitFor(() => n.got.length === 1, 10_000, 'the one valid message');
  const d = n.tr.stats.dropped;
  t.same([d.invalid, d.foreignCluster, d.misaddressed], [2, 1, 1]);
  t.equal(n.got[0]?.term, 4);
});

t.test('a peer whose broker is unreachable gets a bounded queue', async (t) => {
  const b = await startAedes(t);
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  const deadUrl = `mqtt://127.0.0.1:${(dead.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  const n = node(t, 'n1', b.url, { n2: deadUrl }, { queueLengthMax: 5 });
  await n.tr.start();
  for (let i = 0; i < 12; i++) n.tr.send(msg('n1', 'n2', i + 1));
  t.equal(n.tr.stats.dropped.queueFull, 7, 'seven oldest dropped, five kept');
  t.equal(n.tr.stats.sent, 0);
  n.tr.send(msg('n1', 'nobody', 1));
  t.equal(n.tr.stats.dropped.unknownPeer, 1);
  t.throws(
    () => new MqttTransport({ clusterId: 'a/b', nodeId: 'n', inboxUrl: b.url, peers: {}, onMessage: () => {} }),
    /clusterId/,
  );
  t.throws(
    () =>
      new MqttTransport({
        clusterId: 'a',
        nodeId: 'n',
        inboxUrl: b.url,
        peers: {},
        onMessage: () => {},
        queueLengthMax: 0,
      }),
    /queueLengthMax/,
  );
});

t.test('sealed messages: peers with the site key talk, a forger is refused', async (t) => {
  const b = await startAedes(t);
  const siteKey = randomBytes(32);
  const auth = (id: string) => new ClusterAuth({ clusterId: 'site1', nodeId: id, siteKey });
  const a = node(t, 'a', b.url, { b: b.url }, { auth: auth('a') });
  const bb = node(t, 'b', b.url, { a: b.url }, { auth: auth('b') });
  await Promise.all([a.tr.start(), bb.tr.start()]);
  await waitFor(
    () => {
      a.tr.send(msg('a', 'b', 1));
      return bb.got.length > 0;
    },
    10_000,
    'a sealed message',
    50,
  );
  const forger = await mqtt.connectAsync(b.url);
  t.teardown(() => forger.endAsync(true));
  await forger.publishAsync(inboxTopic('agentos', 'site1', 'b'), encodeMessage('site1', msg('a', 'b', 99)));
  const wrongKey = new ClusterAuth({ clusterId: 'site1', nodeId: 'a', siteKey: randomBytes(32) });
  await forger.publishAsync(
    inboxTopic('agentos', 'site1', 'b'),
    wrongKey.seal({ to: 'b', term: 99, body: encodeMessage('site1', msg('a', 'b', 99)) }),
  );
  await waitFor(() => bb.tr.stats.dropped.auth >= 2, 10_000, 'two refused forgeries');
  t.notOk(
    bb.got.some((m) => m.term === 99),
    'no forged message delivered',
  );
});

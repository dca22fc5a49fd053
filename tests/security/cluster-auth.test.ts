// Cluster message authentication: forged, tampered, redirected, replayed and old messages are refused, both as
// pure calls and when an attacker with broker access injects or replays traffic on a real broker.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { ClusterAuth } from '../../runtime/security/cluster-auth.js';
import { collect, startHarness, waitFor } from './harness.js';

const key = randomBytes(32);
const mk = (nodeId: string, over: Partial<ConstructorParameters<typeof ClusterAuth>[0]> = {}) =>
  new ClusterAuth({ clusterId: 'site-a', nodeId, siteKey: key, ...over });

t.test('sealed messages open; forged and tampered ones do not', async (t) => {
  const n1 = mk('gw-1');
  const n2 = mk('gw-2');
  const n3 = mk('gw-3');
  const body = Buffer.from(JSON.stringify({ type: 'vote', candidate: 'gw-1' }));
  const wire = n1.seal({ to: 'gw-2', term: 7, body });
  const ok = n2.open(wire);
  t.ok(ok.ok, 'the addressee opens it');
  if (ok.ok) {
    t.equal(ok.message.from, 'gw-1');
    t.equal(ok.message.term, 7);
    t.same(ok.message.body, body);
  }
  t.same(n3.open(wire), { ok: false, reason: 'not addressed to us' }, 'another node cannot use it');
  t.same(n2.open(wire), { ok: false, reason: 'replay' }, 'the same message twice is a replay');

  const forger = new ClusterAuth({ clusterId: 'site-a', nodeId: 'gw-1', siteKey: randomBytes(32) });
  t.same(n2.open(forger.seal({ to: 'gw-2', term: 99, body })), { ok: false, reason: 'bad mac' }, 'wrong key: forged');
  const doc = JSON.parse(n1.seal({ to: 'gw-2', term: 7, body }).toString());
  for (const [field, value] of [
    ['term', 8],
    ['f', 'gw-3'],
    ['t', '*'],
    ['c', 'site-b'],
    ['b', Buffer.from('{"type":"append"}').toString('base64')],
    ['ts', doc.ts + 1],
    ['n', doc.n + 1],
  ] as const) {
    const tampered = Buffer.from(JSON.stringify({ ...doc, [field]: value }));
    t.same(n2.open(tampered), { ok: false, reason: 'bad mac' }, `changing ${field} breaks the MAC`);
  }
  const otherCluster = new ClusterAuth({ clusterId: 'site-b', nodeId: 'gw-1', siteKey: key });
  t.same(n2.open(otherCluster.seal({ to: 'gw-2', term: 1, body })), { ok: false, reason: 'other cluster' });
  t.same(n1.open(n1.seal({ to: '*', term: 1, body })), { ok: false, reason: 'own message reflected' });
  for (const junk of ['', 'null', '[]', '{"v":1}', '{"v":2}', 'x'.repeat(100), JSON.stringify({ ...doc, term: -1 })]) {
    const r = n2.open(Buffer.from(junk));
    t.notOk(r.ok, `junk ${JSON.stringify(junk.slice(0, 20))} refused: ${r.ok ? '' : r.reason}`);
  }
  t.throws(
    () => new ClusterAuth({ clusterId: 'c', nodeId: 'n', siteKey: Buffer.alloc(8) }),
    /siteKey: must be at least 32/,
  );
});

t.test('replay window: reordering tolerated once, old messages refused', async (t) => {
  let now = 1_700_000_000_000;
  const clock = () => now;
  const s = mk('gw-1', { now: clock, reorderWindow: 8, windowMs: 30_000 });
  const r = mk('gw-2', { now: clock, reorderWindow: 8, windowMs: 30_000 });
  const msgs = Array.from({ length: 12 }, (_, i) => s.seal({ to: 'gw-2', term: 1, body: Buffer.from(String(i)) }));
  t.ok(r.open(msgs[5]!).ok, 'a later message first');
  t.ok(r.open(msgs[2]!).ok, 'an earlier one inside the window, once');
  t.same(r.open(msgs[2]!), { ok: false, reason: 'replay' }, 'but not twice');
  t.ok(r.open(msgs[11]!).ok, 'jump ahead');
  t.same(r.open(msgs[1]!), { ok: false, reason: 'replay' }, 'too far behind the highest counter');
  t.ok(r.open(msgs[6]!).ok, 'unseen message inside the window');
  now += 31_000;
  const fresh = mk('gw-2', { now: clock }); // a receiver that restarted and lost its windows
  t.same(fresh.open(msgs[10]!), { ok: false, reason: 'outside time window' }, 'captured traffic goes stale');
  const future = mk('gw-3', { now: () => now + 60_000 }).seal({ to: 'gw-2', term: 1, body: Buffer.from('x') });
  t.same(fresh.open(future), { ok: false, reason: 'outside time window' }, 'messages from the future refused');
  t.equal(r.stats.rejected, 2, 'rejections counted');
});

t.test('on a real broker: an attacker injecting or replaying cluster traffic is refused', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  // the attacker holds valid broker credentials (an admin here, the strongest case) but not the site key
  const adminSecret = (await h.store.add({ id: 'mallory', kind: 'operator', role: 'admin' })).secret;
  const gw1 = await h.store.add({ id: 'gw-1', kind: 'gateway' });
  const gw2 = await h.store.add({ id: 'gw-2', kind: 'gateway' });
  const topic = 'agentos/cluster/site-a/to/gw-2';
  const receiver = await h.connect({ clientId: 'gw-2', username: 'gw-2', password: gw2.secret });
  const got = collect(receiver);
  await receiver.subscribeAsync(topic, { qos: 1 });
  const sender = await h.connect({ clientId: 'gw-1', username: 'gw-1', password: gw1.secret });
  const mallory = await h.connect({ clientId: 'mallory', username: 'mallory', password: adminSecret });
  const stolen: Buffer[] = [];
  mallory.on('message', (_t, p) => stolen.push(Buffer.from(p)));
  await mallory.subscribeAsync('agentos/cluster/#', { qos: 1 });

  const auth1 = mk('gw-1');
  const auth2 = mk('gw-2');
  await sender.publishAsync(
    topic,
    auth1.seal({ to: 'gw-2', term: 3, body: Buffer.from('{"type":"append","entries":[1]}') }),
    { qos: 1 },
  );
  await waitFor('sealed message delivered and captured', () => got.length === 1 && stolen.length === 1);
  const forgedVote = new ClusterAuth({ clusterId: 'site-a', nodeId: 'gw-1', siteKey: randomBytes(32) });
  await mallory.publishAsync(topic, forgedVote.seal({ to: 'gw-2', term: 99, body: Buffer.from('{"type":"vote"}') }), {
    qos: 1,
  });
  await mallory.publishAsync(topic, Buffer.from('{"type":"vote","term":99,"from":"gw-1"}'), { qos: 1 });
  await mallory.publishAsync(topic, stolen[0]!, { qos: 1 });
  await waitFor('all four messages at the receiver', () => got.length === 4);
  const verdicts = got.map((m) => auth2.open(m.payload));
  t.ok(verdicts[0]!.ok, 'the real message is accepted');
  t.same(
    verdicts.slice(1).map((v) => (v.ok ? 'accepted' : v.reason)),
    ['bad mac', 'version', 'replay'],
    'forged vote, unsealed vote and replay all refused',
  );
});

// Identities and topic ACLs on a real aedes broker with real mqtt.js clients: impersonation, anonymous access,
// topic escape through wildcards, $SYS and odd topic strings, operator roles.
import t from 'tap';
import { closed, collect, connackCode, startHarness, subscribeGranted, waitFor } from './harness.js';

const R = 'agentos/v1';

t.test('identities: impersonation and anonymous access are refused', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const a = await h.store.add({ id: 'lamp-1', kind: 'agent' });
  const b = await h.store.add({ id: 'lamp-2', kind: 'agent' });

  t.equal(await connackCode(h.url, { clientId: 'lamp-1' }), 5, 'anonymous refused (not authorized)');
  t.equal(
    await connackCode(h.url, { clientId: 'lamp-1', username: 'lamp-1', password: 'guess' }),
    4,
    'wrong password refused',
  );
  t.equal(
    await connackCode(h.url, { clientId: 'lamp-1', username: 'lamp-1', password: b.secret }),
    4,
    "another agent's secret does not open lamp-1",
  );
  t.equal(
    await connackCode(h.url, { clientId: 'lamp-1', username: 'lamp-2', password: b.secret }),
    4,
    "lamp-2 cannot take over lamp-1's client id (session takeover)",
  );
  t.equal(
    await connackCode(h.url, { clientId: 'ghost', username: 'ghost', password: 'x' }),
    4,
    'unknown identity refused',
  );

  // the real lamp-1 keeps its session while others try
  const real = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: a.secret });
  t.equal(
    await connackCode(h.url, { clientId: 'lamp-1', username: 'lamp-2', password: b.secret }),
    4,
    'takeover attempt while online refused',
  );
  t.ok(real.connected, 'real lamp-1 still connected after the takeover attempt');
  t.ok(h.denials.count('connect', 'client-id-mismatch') >= 2, 'client-id mismatches counted');
  t.ok(h.denials.count('connect', 'anonymous') >= 1, 'anonymous refusals counted');
  t.ok(
    h.logs.some((l) => l.msg === 'security: connect denied'),
    'denials are logged',
  );
});

t.test('development mode lets anonymous clients in', async (t) => {
  const h = await startHarness({ devMode: true });
  t.teardown(h.close);
  const c = await h.connect({ clientId: 'anything' });
  t.equal(await subscribeGranted(c, '#'), 1, 'dev mode: anonymous may subscribe to #');
  const viaBadPassword = await connackCode(h.url, { clientId: 'x', username: 'x', password: 'wrong' });
  t.equal(viaBadPassword, 4, 'dev mode still refuses wrong credentials rather than downgrading to anonymous');
});

t.test('topic escape: an agent reaches only its own namespace', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const a = await h.store.add({ id: 'lamp-1', kind: 'agent' });
  const b = await h.store.add({ id: 'lamp-2', kind: 'agent' });
  const victim = await h.connect({ clientId: 'lamp-2', username: 'lamp-2', password: b.secret });
  const got = collect(victim);
  t.equal(await subscribeGranted(victim, `${R}/agents/lamp-2/cmd`), 1, 'agent may read its commands');
  const attacker = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: a.secret });

  const refused = [
    '#',
    '+/#',
    `${R}/#`,
    `${R}/agents/#`,
    `${R}/agents/+/cmd`,
    `${R}/agents/+/#`,
    `${R}/agents/lamp-2/#`,
    `+/v1/agents/lamp-2/cmd`,
    `${R}/+/lamp-2/cmd`,
    `${R}/replies/#`,
    `${R}/replies/lamp-2`,
    '$SYS/#',
    '$SYS/+/new/clients',
    '+/+/+/+',
    `${R}/agents/lamp-1/../lamp-2/cmd`,
    `${R}//agents/lamp-2/cmd`,
    `${R}/agents/lamp-1/cmd\u0000`,
    `${R}/agents/lamp-1/${'x'.repeat(2000)}`,
  ];
  for (const f of refused)
    t.equal(await subscribeGranted(attacker, f), 128, `subscribe refused: ${JSON.stringify(f).slice(0, 60)}`);
  const allowed = [`${R}/agents/lamp-1/cmd`, `${R}/agents/lamp-1/#`, `${R}/agents/lamp-1/+`, `${R}/replies/lamp-1`];
  for (const f of allowed) t.equal(await subscribeGranted(attacker, f), 1, `subscribe allowed: ${f}`);
  t.ok(attacker.connected, 'refused subscriptions do not end the session');

  // forging a command to another agent: the broker drops the publish and closes the offender
  const gone = closed(attacker);
  attacker.publish(`${R}/agents/lamp-2/cmd`, '{"unlock":true}');
  await gone;
  t.pass('publishing into another agent’s namespace closes the session');
  t.same(got, [], 'the victim never received the forged command');
  t.ok(h.denials.count('subscribe', 'not-allowed') >= 10, 'subscribe denials counted');
  t.equal(h.denials.count('publish', 'not-allowed'), 1, 'publish denial counted');
});

t.test('an agent publishes only what it owns, and not its own commands', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const a = await h.store.add({ id: 'lamp-1', kind: 'agent' });
  const watcher = await h.store.add({ id: 'ops', kind: 'operator', role: 'admin' });
  const w = await h.connect({ clientId: 'ops:watch', username: 'ops', password: watcher.secret });
  const got = collect(w);
  await w.subscribeAsync('#', { qos: 1 });
  const c = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: a.secret });
  await c.publishAsync(`${R}/agents/lamp-1/telemetry`, '{"t":21}', { qos: 1 });
  await c.publishAsync(`${R}/api/health`, '{}', { qos: 1 });
  await waitFor('telemetry at the watcher', () => got.length >= 2);
  t.same(
    got.map((m) => m.topic),
    [`${R}/agents/lamp-1/telemetry`, `${R}/api/health`],
    'own telemetry and an allowed API call pass',
  );
  for (const topic of [
    `${R}/agents/lamp-1/cmd`,
    `${R}/agents/lamp-1/task/assign`,
    `${R}/api/agents.delete`,
    '$SYS/x',
  ]) {
    const c2 = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: a.secret });
    const gone = closed(c2);
    c2.publish(topic, 'x');
    await gone;
    t.pass(`publish refused: ${topic}`);
  }
  t.equal(got.length, 2, 'none of the refused publishes reached a subscriber');
});

t.test('operators: admin may do anything, viewer only reads', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const admin = await h.store.add({ id: 'alice', kind: 'operator', role: 'admin' });
  const viewer = await h.store.add({ id: 'victor', kind: 'operator', role: 'viewer' });
  const ad = await h.connect({ clientId: 'alice', username: 'alice', password: admin.secret });
  t.equal(await subscribeGranted(ad, '$SYS/#'), 1, 'admin reads $SYS');
  await ad.publishAsync(`${R}/agents/lamp-9/cmd`, '{}', { qos: 1 });
  t.ok(ad.connected, 'admin may send commands');

  const v = await h.connect({ clientId: 'victor:cli-1', username: 'victor', password: viewer.secret });
  t.equal(await subscribeGranted(v, `${R}/#`), 1, 'viewer reads the namespace');
  t.equal(await subscribeGranted(v, '$SYS/#'), 128, 'viewer does not read $SYS');
  t.equal(await subscribeGranted(v, '#'), 128, 'viewer cannot widen to # (it would include $-less foreign topics)');
  await v.publishAsync(`${R}/api/agents.list`, '{}', { qos: 1 });
  t.ok(v.connected, 'viewer may call a read-only API method');
  const gone = closed(v);
  v.publish(`${R}/api/tasks.submit`, '{}');
  await gone;
  t.pass('viewer calling a state-changing API method is disconnected');
});

t.test('the homeassistant role reads discovery and values, writes only its controls', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const ha = await h.store.add({ id: 'hass', kind: 'operator', role: 'homeassistant' });
  const c = await h.connect({ clientId: 'hass:ha-1', username: 'hass', password: ha.secret });
  t.equal(await subscribeGranted(c, 'homeassistant/#'), 1, 'discovery configs');
  t.equal(await subscribeGranted(c, `${R}/ha/#`), 1, 'agent values');
  t.equal(await subscribeGranted(c, `${R}/agents/+/status`), 1, 'agent availability');
  t.equal(await subscribeGranted(c, `${R}/gateways/+/status`), 1, 'gateway availability');
  t.equal(await subscribeGranted(c, `${R}/agents/+/telemetry`), 128, 'not raw telemetry');
  t.equal(await subscribeGranted(c, `${R}/#`), 128, 'not the whole namespace');
  await c.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await c.publishAsync(`${R}/ha/lamp-1/set/relay.set`, 'ON', { qos: 1 });
  t.ok(c.connected, 'birth message and a control command are allowed');
  const gone = closed(c);
  c.publish(`${R}/agents/lamp-1/cmd`, '{}');
  await gone;
  t.pass('a raw agent command is refused (disconnected)');
});

t.test('grants let an agent read extra topics, never write them', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const s = await h.store.add({ id: 'thermo', kind: 'agent', grants: [`${R}/agents/+/telemetry`] });
  const c = await h.connect({ clientId: 'thermo', username: 'thermo', password: s.secret });
  t.equal(await subscribeGranted(c, `${R}/agents/+/telemetry`), 1, 'granted filter');
  t.equal(await subscribeGranted(c, `${R}/agents/lamp-2/telemetry`), 1, 'narrower than the grant');
  t.equal(await subscribeGranted(c, `${R}/agents/+/+`), 128, 'wider than the grant');
  t.equal(await subscribeGranted(c, `${R}/agents/#`), 128, 'wider than the grant with #');
  const gone = closed(c);
  c.publish(`${R}/agents/lamp-2/telemetry`, '{}');
  await gone;
  t.pass('a grant does not allow publishing');
});

t.test('every agent channel of topics.ts is classified for the ACL', async (t) => {
  const { agentChannels } = await import('../../runtime/bus/topics.js');
  const { AGENT_PUBLISHED, GATEWAY_PUBLISHED } = await import('../../runtime/security/acl-rules.js');
  for (const c of Object.keys(agentChannels)) {
    const where = [AGENT_PUBLISHED.includes(c as never), GATEWAY_PUBLISHED.includes(c as never)];
    t.equal(where.filter(Boolean).length, 1, `${c}: published by exactly one side`);
  }
});

t.test('gateways reach only cluster topics; agents cannot reach them', async (t) => {
  const h = await startHarness();
  t.teardown(h.close);
  const g = await h.store.add({ id: 'gw-2', kind: 'gateway' });
  const a = await h.store.add({ id: 'lamp-1', kind: 'agent' });
  const gw = await h.connect({ clientId: 'gw-2:raft', username: 'gw-2', password: g.secret });
  t.equal(await subscribeGranted(gw, 'agentos/cluster/site-a/to/gw-2'), 1, 'own inbox');
  t.equal(await subscribeGranted(gw, `${R}/agents/+/cmd`), 128, 'a gateway peer does not read agent commands');
  await gw.publishAsync('agentos/cluster/site-a/to/gw-1', 'sealed', { qos: 1 });
  t.ok(gw.connected, 'a gateway publishes to a peer inbox');
  const gone = closed(gw);
  gw.publish(`${R}/agents/lamp-1/cmd`, '{}');
  await gone;
  t.pass('a gateway peer cannot command agents');
  const lamp = await h.connect({ clientId: 'lamp-1', username: 'lamp-1', password: a.secret });
  t.equal(await subscribeGranted(lamp, 'agentos/cluster/#'), 128, 'an agent cannot read cluster traffic');
  const gone2 = closed(lamp);
  lamp.publish('agentos/cluster/site-a/to/gw-1', 'vote for me');
  await gone2;
  t.pass('an agent cannot inject cluster traffic');
});

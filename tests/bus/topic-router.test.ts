// The in-process fan-out (topic-router.ts) and the external broker's subscription set (topic-cover.ts): MQTT
// matching rules, one call per route, cache invalidation, and broker filters that cover every routed filter without
// ever overlapping (checked on seeded random filter sets).
import t from 'tap';
import { brokerFilters, covers, filterMatches, overlaps } from '../../runtime/bus/topic-cover.js';
import { assertFilter, TopicRouter } from '../../runtime/bus/topic-router.js';
import { mulberry32Next } from '../../runtime/util/mulberry32.js';

t.test('MQTT matching rules', async (t) => {
  t.ok(filterMatches('a/#', 'a'), "[MQTT-4.7.1-2] '#' matches the parent level");
  t.ok(filterMatches('a/#', 'a/b/c'));
  t.ok(filterMatches('a/+/c', 'a/b/c'));
  t.notOk(filterMatches('a/+', 'a/b/c'), "[MQTT-4.7.1-3] '+' is one level");
  t.notOk(filterMatches('a/+', 'a'));
  t.ok(filterMatches('+/+', '/x'), 'an empty level is a level');
  t.notOk(filterMatches('#', '$SYS/x'), '[MQTT-4.7.2-1] wildcards do not match $ topics at the first level');
  t.notOk(filterMatches('+/x', '$SYS/x'));
  t.ok(filterMatches('$SYS/#', '$SYS/x'));
  for (const bad of ['', 'a/#/b', 'a/b#', 'a+/b', '#/a'])
    t.throws(() => assertFilter(bad), TypeError, `refused: ${JSON.stringify(bad)}`);
  for (const good of ['#', '+', 'a/+/b/#', '/', '$SYS/+']) t.doesNotThrow(() => assertFilter(good));
});

t.test('the router calls each matching route once, in order, and isolates a failing handler', async (t) => {
  const errors: string[] = [];
  const router = new TopicRouter({
    onHandlerError: (err, topic) => errors.push(`${topic}: ${(err as Error).message}`),
  });
  const calls: string[] = [];
  const offAll = router.add('agentos/v1/agents/#', (topic) => calls.push(`all ${topic}`));
  router.add('agentos/v1/agents/+/telemetry', () => {
    throw new Error('boom');
  });
  const offOne = router.add('agentos/v1/agents/lamp/telemetry', (_topic, payload) => calls.push(`one ${payload}`));
  router.dispatch('agentos/v1/agents/lamp/telemetry', Buffer.from('x'));
  t.same(calls, ['all agentos/v1/agents/lamp/telemetry', 'one x']);
  t.same(errors, ['agentos/v1/agents/lamp/telemetry: boom'], 'the error is reported, the next handler still ran');

  calls.length = 0;
  t.same(offOne(), { filterStillRouted: false });
  router.dispatch('agentos/v1/agents/lamp/telemetry', Buffer.from('y'));
  t.same(calls, ['all agentos/v1/agents/lamp/telemetry'], 'a removed route is gone from the cached topic too');
  t.same(offOne(), { filterStillRouted: false }, 'removing twice is harmless');

  const again = router.add('agentos/v1/agents/#', () => calls.push('again'));
  t.same(router.filters, ['agentos/v1/agents/#', 'agentos/v1/agents/+/telemetry']);
  t.same(offAll(), { filterStillRouted: true }, 'the same filter is still routed for another handler');
  again();
  router.dispatch('other/topic', Buffer.alloc(0));
  t.equal(router.routeCount, 1);
});

t.test('handlers are told the parsed agent topic, worked out once per topic', async (t) => {
  const router = new TopicRouter({ onHandlerError: () => undefined });
  const seen: unknown[] = [];
  router.add('#', (_topic, _payload, info) => seen.push(info.agent));
  router.dispatch('agentos/v1/agents/lamp/cmd/reply', Buffer.alloc(0));
  router.dispatch('agentos/v1/agents/lamp/cmd/reply', Buffer.alloc(0));
  router.dispatch('agentos/v1/api/health', Buffer.alloc(0));
  t.same(seen, [{ agentId: 'lamp', channel: 'commandReply' }, { agentId: 'lamp', channel: 'commandReply' }, null]);
  t.equal(seen[0], seen[1], 'the same parse object for the same topic');
});

t.test('the topic cache is bounded', async (t) => {
  const router = new TopicRouter({ topicCacheMax: 4, onHandlerError: () => undefined });
  let n = 0;
  router.add('d/+', () => n++);
  for (let i = 0; i < 100; i++) router.dispatch(`d/${i}`, Buffer.alloc(0));
  t.equal(n, 100, 'every topic still dispatched after the cache was cleared');
});

t.test('broker filters: covered filters are left out, overlapping ones merged', async (t) => {
  t.same(
    brokerFilters([
      'agentos/v1/agents/+/telemetry',
      'agentos/v1/agents/#',
      'agentos/v1/agents/+/hello',
      'agentos/v1/api/+',
      'agentos/v1/gateways/gw-1/api/+',
    ]),
    ['agentos/v1/agents/#', 'agentos/v1/api/+', 'agentos/v1/gateways/gw-1/api/+'],
  );
  t.same(brokerFilters(['a/+/c', 'a/b/+']), ['a/+/+'], 'a/b/c matches both: one filter covers them');
  t.same(brokerFilters(['a/b', 'a/b/#']), ['a/b/#']);
  t.same(brokerFilters(['a', 'a/b']), ['a', 'a/b'], 'disjoint filters stay as they are');
  t.same(brokerFilters(['#', '$SYS/x']), ['#', '$SYS/x'], "'#' does not cover $ topics");
  t.same(brokerFilters(['x/y', 'x/y']), ['x/y'], 'a repeated filter is subscribed once');
});

t.test('broker filters cover every routed filter and never overlap (seeded random sets)', async (t) => {
  let seed = 7;
  const rnd = (): number => {
    const step = mulberry32Next(seed);
    seed = step.state;
    return step.value;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const words = ['a', 'b', 'c', '$s'];
  const filter = (): string => {
    const n = 1 + Math.floor(rnd() * 4);
    const levels = Array.from({ length: n }, (_, i) => pick(i === 0 ? words : words.slice(0, 3).concat('+')));
    if (rnd() < 0.25) levels[n - 1] = '#';
    if (rnd() < 0.15) levels[0] = '+';
    return levels.join('/');
  };
  const topic = (): string =>
    Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => pick(i === 0 ? words : words.slice(0, 3))).join('/');
  let checked = 0;
  for (let round = 0; round < 300; round++) {
    const routed = Array.from({ length: 1 + Math.floor(rnd() * 6) }, filter);
    const chosen = brokerFilters(routed);
    const split = chosen.map((f) => f.split('/'));
    for (let i = 0; i < split.length; i++) {
      for (let j = i + 1; j < split.length; j++) {
        if (overlaps(split[i] as string[], split[j] as string[])) t.fail(`${chosen[i]} overlaps ${chosen[j]}`);
      }
    }
    for (const f of routed) {
      if (!split.some((c) => covers(c, f.split('/')))) t.fail(`${f} not covered by ${chosen.join(' ')}`);
    }
    for (let k = 0; k < 20; k++) {
      const tp = topic();
      const wanted = routed.some((f) => filterMatches(f, tp));
      const copies = chosen.filter((f) => filterMatches(f, tp)).length;
      if (wanted && copies !== 1) t.fail(`${tp}: ${copies} broker filters of ${chosen.join(' ')} match`);
      checked++;
    }
  }
  t.equal(checked, 6000, 'every sampled topic a handler wants arrives through exactly one broker filter');
});

// The filter algebra the ACL relies on, checked against brute force: whenever `covers(a, f)` says yes, every topic
// that f matches must match a; whenever `overlaps` says no, no topic may match both.
import t from 'tap';
import {
  covers,
  matches,
  overlaps,
  topicFilterProblem,
  topicNameProblem,
} from '../../runtime/security/topic-filter.js';

t.test('odd topic strings are refused with a reason', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['a//b', /empty level/],
    ['/a', /empty level/],
    ['a/', /empty level/],
    ['a/\u0000', /control character, NUL/],
    ['a/\u0007b', /control character/],
    ['a/\u009b', /control character/],
    ['a/\ufffd', /invalid UTF-8/],
    ['a/\ud800', /lone surrogate/],
    ['a/..', /'\.' or '\.\.'/],
    ['x'.repeat(1025), /longer than 1024 bytes/],
    ['é'.repeat(600), /longer than 1024 bytes/],
    [Array(40).fill('a').join('/'), /more than 32 levels/],
    ['a/+', /wildcards are not allowed/],
    ['a/#', /wildcards are not allowed/],
  ];
  for (const [topic, why] of bad) t.match(topicNameProblem(topic), why, `topic ${JSON.stringify(topic.slice(0, 20))}`);
  t.equal(topicNameProblem('agentos/v1/agents/lamp-1/telemetry'), null, 'a normal topic passes');
  t.equal(topicNameProblem('a/ünïcödé/😀'), null, 'well-formed unicode passes');
  t.match(topicFilterProblem('a/#/b'), /# must be a whole level and the last one/);
  t.match(topicFilterProblem('a/b#'), /# must be/);
  t.match(topicFilterProblem('a/b+/c'), /\+ must be a whole level/);
  t.equal(topicFilterProblem('+/+/#'), null);
});

t.test('matching follows MQTT 4.7, including $-topics', async (t) => {
  t.ok(matches('a/#', 'a'), '# matches the parent level');
  t.ok(matches('a/+/c', 'a/b/c'));
  t.notOk(matches('a/+', 'a/b/c'));
  t.notOk(matches('#', '$SYS/x'), '# does not match $-topics');
  t.notOk(matches('+/x', '$SYS/x'), '+ at the first level does not match $-topics');
  t.ok(matches('$SYS/#', '$SYS/x'));
});

t.test('covers and overlaps agree with brute force', async (t) => {
  // small alphabet so that random filters and topics collide often
  const levels = ['a', 'b', '$s'];
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const topic = () => Array.from({ length: 1 + rand(4) }, (_, i) => levels[rand(i === 0 ? 3 : 2)]).join('/');
  const filter = () => {
    const n = 1 + rand(4);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = rand(5);
      if (r === 0 && i === n - 1) parts.push('#');
      else if (r <= 1) parts.push('+');
      else parts.push(levels[rand(i === 0 ? 3 : 2)]!);
    }
    return parts.join('/');
  };
  const topics = new Set<string>();
  for (let i = 0; i < 3000; i++) topics.add(topic());
  let coverChecks = 0;
  let overlapChecks = 0;
  let wrong = 0;
  for (let i = 0; i < 3000; i++) {
    const a = filter();
    const f = filter();
    const both = [...topics].filter((x) => matches(a, x) && matches(f, x));
    if (covers(a, f)) {
      coverChecks++;
      for (const x of topics) if (matches(f, x) && !matches(a, x)) wrong++;
    }
    if (!overlaps(a, f)) {
      overlapChecks++;
      if (both.length > 0) wrong++;
    }
  }
  t.ok(coverChecks > 100, `covers said yes ${coverChecks} times`);
  t.ok(overlapChecks > 100, `overlaps said no ${overlapChecks} times`);
  t.equal(wrong, 0, 'no counterexample found');
  t.ok(covers('a/#', 'a'), 'a/# covers a');
  t.notOk(covers('a/+/#', 'a/#'), 'a/+/# does not cover a/# (the parent a)');
  t.notOk(covers('#', '$SYS/#'), '# does not cover $SYS');
  t.notOk(covers('a/b', 'a/+'), 'a literal does not cover +');
});

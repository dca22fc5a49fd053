// The read barrier on its own, with a hand-driven clock and a fake node: a read during an election waits for a
// leader (bounded by leaderWaitMs, with an error naming it), a round lost to a leader or term change or to silence
// is started again, any of a read's rounds releases it, and the limits (timeoutMs, readsPendingMax) hold.
import t from 'tap';
import { ReadBarrier, type ReadBarrierOptions } from '../../runtime/cluster/host/read-barrier.js';
import { RaftError } from '../../runtime/cluster/raft/types.js';

/** a node whose leader and term the test sets; `issue` fails as the Raft core does when no leader is known */
class FakeNode {
  term = 1;
  leader = '';
  issued: string[] = [];
  refusal: Error | undefined;
  issue = (context: string): void => {
    if (this.refusal) throw this.refusal;
    if (this.leader === '') throw new RaftError('no known leader for a read', 'not-leader');
    this.issued.push(context);
  };
  view = () => ({ term: this.term, leader: this.leader });
}

function barrier(node: FakeNode, over: Partial<ReadBarrierOptions> = {}): ReadBarrier {
  return new ReadBarrier({
    id: 'n1',
    issue: node.issue,
    view: node.view,
    timeoutMs: 5000,
    leaderWaitMs: 2000,
    reissueMs: 300,
    readsPendingMax: 4,
    ...over,
  });
}

/** the promise's outcome so far, without waiting for it */
function watch(p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: Error } {
  const w: { state: 'pending' | 'resolved' | 'rejected'; error?: Error } = { state: 'pending' };
  p.then(
    () => {
      w.state = 'resolved';
    },
    (e: Error) => {
      w.state = 'rejected';
      w.error = e;
    },
  );
  return w;
}

const settle = () => new Promise<void>((r) => setImmediate(r));

t.test('a read during an election waits for the leader, then is released by its round', async (t) => {
  const node = new FakeNode();
  const b = barrier(node);
  const r = watch(b.read(0));
  b.poll(500);
  await settle();
  t.equal(r.state, 'pending', 'no leader: the read waits instead of failing');
  t.same(node.issued, [], 'no round started without a leader');
  node.leader = 'n2';
  node.term = 2;
  b.poll(600);
  t.equal(node.issued.length, 1, 'the round starts once a leader is known');
  b.release(node.issued[0]!);
  await settle();
  t.equal(r.state, 'resolved');
  t.equal(b.size, 0);
});

t.test('past leaderWaitMs without a leader the read fails with an error naming the limit', async (t) => {
  const node = new FakeNode();
  const b = barrier(node, { leaderWaitMs: 1000 });
  const r = watch(b.read(0));
  b.poll(999);
  await settle();
  t.equal(r.state, 'pending');
  b.poll(1000);
  await settle();
  t.equal(r.state, 'rejected');
  t.match(r.error?.message, /no leader to serve a read after 1000 ms \(leaderWaitMs\) \[node=n1\]/);
  t.match(r.error?.message, /election is in progress/);
  t.equal((r.error as Error & { code?: string }).code, 'unavailable');
});

t.test('a new leader that has not committed in its term is waited for the same way', async (t) => {
  const node = new FakeNode();
  node.leader = 'n1';
  node.refusal = new RaftError('the leader has not yet committed an entry in its term', 'no-commit-in-term');
  const b = barrier(node);
  const r = watch(b.read(0));
  b.poll(100);
  node.refusal = undefined;
  b.poll(200);
  t.equal(node.issued.length, 1);
  b.release(node.issued[0]!);
  await settle();
  t.equal(r.state, 'resolved');
});

t.test('a round lost to a leader change, a term change or silence is started again', async (t) => {
  const node = new FakeNode();
  node.leader = 'n2';
  const b = barrier(node, { reissueMs: 300 });
  const r = watch(b.read(0));
  t.equal(node.issued.length, 1);
  b.poll(100);
  t.equal(node.issued.length, 1, 'same leader and term, before reissueMs: the round is left alone');
  node.leader = 'n3';
  b.poll(150);
  t.equal(node.issued.length, 2, 'the leader changed: a new round');
  node.term = 2;
  b.poll(200);
  t.equal(node.issued.length, 3, 'the term changed: a new round');
  b.poll(1399);
  t.equal(node.issued.length, 3, 'the third round waits 4 x reissueMs (backoff)');
  b.poll(1400);
  t.equal(node.issued.length, 4, 'no answer within its wait: a new round');
  b.release('someone-else-1');
  await settle();
  t.equal(r.state, 'pending', 'an unknown context releases nothing');
  b.release(node.issued[0]!);
  await settle();
  t.equal(r.state, 'resolved', 'any round of the read releases it (each began after the read)');
  b.release(node.issued[3]!);
  t.equal(b.size, 0, 'its other rounds are forgotten');
});

t.test('limits: timeoutMs in all, readsPendingMax, other refusals at once, stop', async (t) => {
  const node = new FakeNode();
  node.leader = 'n2';
  const b = barrier(node, { timeoutMs: 5000, readsPendingMax: 2 });
  const a = watch(b.read(0));
  const c = watch(b.read(0));
  await t.rejects(b.read(0), /too many linearizable reads waiting \(readsPendingMax 2\)/);
  b.poll(5000);
  await settle();
  t.equal(a.state, 'rejected');
  t.match(a.error?.message, /^Timeout after 5000 ms waiting for a read \[node=n1\]/);
  t.equal(c.state, 'rejected');

  node.refusal = new Error('raft host not started');
  await t.rejects(b.read(0), /raft host not started/, 'a refusal an election does not explain fails at once');
  node.refusal = undefined;
  const d = watch(b.read(0));
  b.rejectAll(new Error('raft host stopped'));
  await settle();
  t.equal(d.error?.message, 'raft host stopped');
  t.equal(b.size, 0);
  t.throws(() => barrier(node, { reissueMs: 0 }), /reissueMs must be a positive integer/);
});

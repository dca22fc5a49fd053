// callLeader on its own, with fake leaders: it runs here or forwards to the leader it waits for, sends again only
// after a refusal that guarantees the operation did not run, at most LEADER_CALL_SENDS_MAX times, and passes every
// other failure (a timeout above all) on untouched.
import t from 'tap';
import { callLeader, LEADER_CALL_SENDS_MAX, refusedUnrun } from '../../runtime/cluster/leader-call.js';
import { RaftError } from '../../runtime/cluster/raft/types.js';

/** leaders handed out in turn by whenLeader, and where each send went */
function fake(leaders: string[], fail: (leader: string, send: number) => Error | undefined) {
  const sent: string[] = [];
  let turn = 0;
  return {
    sent,
    options: {
      self: 'n1',
      retryDelayMs: 1,
      whenLeader: async () => leaders[Math.min(turn++, leaders.length - 1)]!,
      here: async () => {
        sent.push('n1');
        const err = fail('n1', sent.length);
        if (err) throw err;
        return 'ran on n1';
      },
      there: async (leader: string) => {
        sent.push(leader);
        const err = fail(leader, sent.length);
        if (err) throw err;
        return `ran on ${leader}`;
      },
    },
  };
}

t.test('runs here when this node leads, else forwards to the leader', async (t) => {
  t.equal(await callLeader(fake(['n1'], () => undefined).options), 'ran on n1');
  t.equal(await callLeader(fake(['n2'], () => undefined).options), 'ran on n2');
});

t.test('leadership moved under the call: sent again to the new leader', async (t) => {
  const moved = fake(['n2', 'n3'], (leader) => (leader === 'n2' ? new Error('n2 is not the leader') : undefined));
  t.equal(await callLeader(moved.options), 'ran on n3');
  t.same(moved.sent, ['n2', 'n3']);
  const here = fake(['n1', 'n2'], (leader) =>
    leader === 'n1' ? new RaftError('not the leader (leader: unknown)', 'not-leader') : undefined,
  );
  t.equal(await callLeader(here.options), 'ran on n2', 'this node stopped leading before it proposed');
  const fresh = fake(['n2'], (_leader, send) =>
    send === 1 ? new Error('the leader has not yet committed an entry in its term') : undefined,
  );
  t.equal(await callLeader(fresh.options), 'ran on n2', 'a new leader not yet committed in its term: after a pause');
  t.same(fresh.sent, ['n2', 'n2']);
});

t.test('at most LEADER_CALL_SENDS_MAX sends, then the last refusal', async (t) => {
  const always = fake(['n2', 'n3', 'n2', 'n3'], (leader) => new Error(`${leader} is not the leader`));
  await t.rejects(callLeader(always.options), /is not the leader/);
  t.equal(always.sent.length, LEADER_CALL_SENDS_MAX);
});

t.test('a failure that does not prove the operation unrun is passed on at once', async (t) => {
  const timeout = fake(
    ['n2', 'n3'],
    () => new Error('Timeout after 5000 ms waiting for node n2 [forwarded request x]'),
  );
  await t.rejects(callLeader(timeout.options), /^Timeout after 5000 ms/);
  t.same(timeout.sent, ['n2'], 'a timed-out operation may have run: not sent again');
  const refused = fake(['n1'], () => new Error('task t1 is already submitted'));
  await t.rejects(callLeader(refused.options), /already submitted/);
  const noLeader = { ...fake([], () => undefined).options, whenLeader: () => Promise.reject(new Error('no leader')) };
  await t.rejects(callLeader(noLeader), /no leader/, 'whenLeader giving up ends the call');
});

t.test('refusedUnrun knows the refusals that prove the operation did not run', async (t) => {
  t.ok(refusedUnrun(new RaftError('leadership is moving to n3', 'transferring')));
  t.ok(refusedUnrun(new Error('not the leader (leader: n3)')), 'relayed by the forwarder as a message');
  t.ok(refusedUnrun(new Error('leadership is moving to n3')));
  t.ok(refusedUnrun(new Error('g2 is not the leader')));
  t.ok(refusedUnrun(new RaftError('the leader has not yet committed an entry in its term', 'no-commit-in-term')));
  t.notOk(refusedUnrun(new RaftError('a conf change is pending', 'conf-pending')));
  t.notOk(refusedUnrun(new Error('entry 7 was replaced by a newer leader entry')));
  t.notOk(refusedUnrun('not the leader'));
});

// Scenarios on the Raft core driven by hand: duplicated votes, old-term messages, a vote that survives a restart,
// ReadIndex from a deposed leader, refusals of bad proposals and membership changes, and bad input.
import t from 'tap';
import { RaftNode } from '../../runtime/cluster/raft/node.js';
import { SeededRng } from '../../runtime/cluster/raft/prng.js';
import { makeMessage, RaftError } from '../../runtime/cluster/raft/types.js';
import { ManualCluster, within } from './manual-cluster.js';

const FIVE = ['s1', 's2', 's3', 's4', 's5'];

t.test('duplicated votes are counted once (votes keyed by voter)', (t) => {
  const c = new ManualCluster(FIVE, { preVote: false });
  c.campaign('s1');
  c.flush(within('s1', 's2'));
  t.equal(c.raft('s1').basicStatus().role, 'candidate');
  const grant = c.sent.find((m) => m.type === 'voteResp' && m.from === 's2' && !m.reject);
  t.ok(grant, 's2 granted its vote');
  for (let i = 0; i < 5; i++) c.deliver(grant!);
  c.process();
  t.equal(c.raft('s1').basicStatus().role, 'candidate', 'two distinct votes of five are not a quorum');
  c.deliver(c.sent.find((m) => m.type === 'vote' && m.to === 's3')!);
  c.flush(within('s1', 's2', 's3'));
  t.equal(c.raft('s1').basicStatus().role, 'leader', 'the third distinct vote wins');
  t.same(c.safety.violations, []);
  t.end();
});

t.test('old-term messages change nothing', (t) => {
  const c = new ManualCluster(FIVE);
  c.campaign('s1');
  c.flush();
  c.raft('s1').propose('{"a":1}');
  c.flush();
  const old = [...c.sent];
  c.campaign('s2');
  c.flush();
  t.equal(c.raft('s2').basicStatus().role, 'leader');
  c.raft('s2').propose('{"a":2}');
  c.flush();
  const before = FIVE.map((id) => c.raft(id).basicStatus());
  for (const m of old) c.deliver(m);
  c.flush();
  const after = FIVE.map((id) => c.raft(id).basicStatus());
  t.same(after, before, 'roles, terms, leaders and commit indexes unchanged');
  const answer = c.sent.filter((m) => m.type === 'appResp' && m.term === before[1]!.term && m.to === 's1');
  t.ok(answer.length > 0, 'stale appends are answered with the current term');
  t.same(c.safety.violations, []);
  t.end();
});

t.test('a vote survives a crash: no second vote in the same term', (t) => {
  const c = new ManualCluster(['s1', 's2', 's3'], { preVote: false });
  c.campaign('s1');
  c.flush((m) => m.to === 's3' || m.from === 's3'); // s3 votes for s1; s1 never hears it
  const term = c.raft('s3').basicStatus().term;
  t.equal(c.raft('s3').status().vote, 's1');
  c.crash('s3');
  c.restart('s3');
  t.equal(c.raft('s3').status().vote, 's1', 'the vote was persisted before the answer left');
  c.campaign('s2');
  t.equal(c.raft('s2').basicStatus().term, term, 's2 campaigns in the same term');
  c.flush((m) => (m.from === 's2' && m.to === 's3') || (m.from === 's3' && m.to === 's2'));
  const answer = c.sent.filter((m) => m.type === 'voteResp' && m.from === 's3' && m.to === 's2' && m.term === term);
  t.ok(answer.length > 0 && answer.every((m) => m.reject), 's3 refuses a second candidate in the same term');
  t.end();
});

t.test('ReadIndex: a deposed leader that cannot reach a quorum never releases a read', (t) => {
  const c = new ManualCluster(['s1', 's2', 's3']);
  c.campaign('s1');
  c.flush();
  c.raft('s1').propose('{"v":1}');
  c.flush();
  c.raft('s1').readIndex('fresh');
  c.flush();
  t.same(
    c.reads('s1').map((r) => r.context),
    ['fresh'],
    'a read is released after a quorum confirms leadership',
  );
  // s1 is cut off; s2 takes over and commits a newer value.
  const noS1 = (m: { from: string; to: string }) => m.from !== 's1' && m.to !== 's1';
  c.campaign('s2');
  c.flush(noS1);
  c.raft('s2').propose('{"v":2}');
  c.flush(noS1);
  c.raft('s1').readIndex('stale');
  c.flush(noS1);
  t.notOk(
    c.reads('s1').some((r) => r.context === 'stale'),
    'no read state while cut off',
  );
  c.raft('s1').tick(); // its heartbeat reaches the others, whose answers carry the newer term
  c.flush();
  t.notOk(
    c.reads('s1').some((r) => r.context === 'stale'),
    'nor after rejoining as a follower',
  );
  t.equal(c.raft('s1').basicStatus().role, 'follower');
  t.end();
});

t.test('ReadIndex through a follower returns the leader commit index', (t) => {
  const c = new ManualCluster(['s1', 's2', 's3']);
  c.campaign('s1');
  c.flush();
  const idx = c.raft('s1').propose('{"v":1}');
  c.flush();
  c.raft('s2').readIndex('via-follower');
  c.flush();
  t.same(c.reads('s2'), [{ index: idx, context: 'via-follower' }]);
  t.end();
});

t.test('proposals and membership changes are refused when unsafe', (t) => {
  const c = new ManualCluster(['s1', 's2', 's3']);
  t.throws(() => c.raft('s2').propose('x'), RaftError, 'a follower does not accept proposals');
  c.campaign('s1');
  c.flush((m) => m.type !== 'app'); // elected, but its first entry is not yet replicated
  t.equal(c.raft('s1').basicStatus().role, 'leader');
  t.throws(
    () => c.raft('s1').proposeConfChange({ type: 'removeVoter', nodeId: 's3' }),
    /not yet committed an entry in its term/,
  );
  c.raft('s1').tick(); // heartbeat: the followers answer and the leader re-sends its entry
  c.flush();
  c.raft('s1').proposeConfChange({ type: 'removeVoter', nodeId: 's3' });
  t.throws(() => c.raft('s1').proposeConfChange({ type: 'addVoter', nodeId: 's4' }), /still uncommitted/);
  c.flush();
  t.same(c.raft('s1').status().voters, ['s1', 's2'], 'the change took effect');
  t.throws(() => c.raft('s1').proposeConfChange({ type: 'addVoter', nodeId: 's2' }), /already a voter/);
  t.throws(() => c.raft('s1').proposeConfChange({ type: 'removeVoter', nodeId: 'zz' }), /not a voter/);
  t.end();
});

t.test('bad configuration and messages are rejected with the field named', (t) => {
  const init = { hardState: { term: 0, vote: '', commit: 0 }, entries: [], bootstrapVoters: ['a'] };
  const cfg = {
    id: 'a',
    electionTicks: 10,
    heartbeatTicks: 1,
    rng: new SeededRng(1),
    preVote: true,
    checkQuorum: true,
    inflightMessagesMax: 4,
    entriesPerMessageMax: 4,
    applyEntriesMax: 4,
  };
  t.throws(() => new RaftNode({ ...cfg, electionTicks: 0 }, init), /electionTicks/);
  t.throws(() => new RaftNode({ ...cfg, heartbeatTicks: 10 }, init), /heartbeatTicks/);
  t.throws(() => new RaftNode({ ...cfg, id: '' }, init), /id/);
  const n = new RaftNode(cfg, init);
  t.throws(() => n.step(makeMessage({ type: 'app', from: 'b', to: 'c', term: 1 })), /addressed to c/);
  t.throws(
    () => n.step({ ...makeMessage({ type: 'app', from: 'b', to: 'a', term: 1 }), type: 'bogus' as 'app' }),
    /type/,
  );
  t.end();
});

t.test('a single voter elects itself and commits alone', (t) => {
  const c = new ManualCluster(['solo']);
  c.campaign('solo');
  c.flush();
  t.equal(c.raft('solo').basicStatus().role, 'leader');
  const idx = c.raft('solo').propose('{"x":1}');
  c.flush();
  t.equal(c.raft('solo').basicStatus().commit, idx);
  c.raft('solo').readIndex('r');
  c.flush();
  t.same(c.reads('solo'), [{ index: idx, context: 'r' }]);
  t.end();
});

// Fault scenarios on the simulated cluster (real core, simulated clock, network and disk). Each ends by checking the
// safety invariants the simulation tracks on every step (one leader per term, leader completeness, state machine
// safety) plus log matching across all nodes.
import t, { type Test } from 'tap';
import type { SimCluster } from '../../runtime/cluster/sim/sim-cluster.js';
import { cluster, commit, put, request, role, term, waitLeader } from './sim-helpers.js';

const THREE = ['n1', 'n2', 'n3'];
const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];

function safe(t: Test, c: SimCluster): void {
  c.checkLogs();
  t.same(c.safety.violations, [], 'no safety violation');
}

t.test('leader crash: a new leader keeps every committed write; the old one catches up on restart', (t) => {
  const c = cluster(THREE);
  const l1 = waitLeader(c);
  t.ok(put(c, 'a', '1'));
  c.crash(l1);
  const l2 = waitLeader(c);
  t.not(l2, l1);
  t.equal(request(c, { op: 'get', key: 'a' }), '1', 'the committed write survived');
  t.ok(put(c, 'a', '2'));
  c.restart(l1);
  t.ok(
    c.runUntil(() => c.converged(), 5000),
    'the restarted node converges',
  );
  safe(t, c);
  t.end();
});

t.test('leader isolated: it steps down (check-quorum) and its minority never commits', (t) => {
  const c = cluster(FIVE);
  const old = waitLeader(c);
  t.ok(put(c, 'k', 'before'));
  const frozen = commit(c, old);
  c.net.isolate(old, FIVE);
  let stale: string | undefined;
  c.submit(old, 'stale-write', { op: 'put', key: 'k', value: 'lost' }, false, () => {
    stale = 'applied';
  });
  const fresh = waitLeader(
    c,
    5000,
    FIVE.filter((id) => id !== old),
  );
  t.ok(put(c, 'k', 'after', fresh));
  c.run(500);
  t.not(role(c, old), 'leader', 'the isolated leader stepped down');
  t.equal(commit(c, old), frozen, 'the isolated node committed nothing');
  c.net.heal();
  t.ok(c.runUntil(() => c.converged(), 5000));
  t.equal(stale, undefined, 'the write sent to the isolated leader never applied there');
  t.equal(request(c, { op: 'get', key: 'k' }), 'after');
  safe(t, c);
  t.end();
});

t.test('follower isolated and back: pre-vote keeps its term, the leader stays', (t) => {
  const c = cluster(THREE);
  const leader = waitLeader(c);
  const follower = THREE.find((id) => id !== leader)!;
  const t0 = term(c, leader);
  c.net.isolate(follower, THREE);
  c.run(3000); // many election timeouts
  t.equal(term(c, follower), t0, 'the isolated follower did not bump its term');
  c.net.heal();
  c.run(1000);
  t.equal(c.leader(), leader, 'no leader change');
  t.equal(term(c, leader), t0, 'no new term');
  t.ok(put(c, 'x', '1'));
  safe(t, c);
  t.end();
});

t.test('A and C cut while both reach B: no leadership churn, writes continue', (t) => {
  const c = cluster(THREE);
  const a = waitLeader(c);
  const [b, cc] = THREE.filter((id) => id !== a) as [string, string];
  const t0 = term(c, a);
  c.net.cutBoth(a, cc);
  c.run(3000);
  t.equal(c.leader(), a, 'the leader keeps its quorum through B');
  t.equal(term(c, a), t0, 'C cannot force a new term: B, which hears the leader, refuses its pre-vote');
  t.ok(put(c, 'y', '1', a));
  t.equal(role(c, b), 'follower');
  c.net.heal();
  t.ok(c.runUntil(() => c.converged(), 5000));
  safe(t, c);
  t.end();
});

t.test('50% message loss: still elects, commits and converges', (t) => {
  const c = cluster(FIVE, { faults: { lossRate: 0.5, delayMaxSteps: 5 } });
  let written = 0;
  for (let i = 0; i < 10; i++) if (put(c, 'z', String(i))) written++;
  t.ok(written > 0, `${written} of 10 writes acknowledged under 50% loss`);
  c.net.faults.lossRate = 0;
  t.ok(c.runUntil(() => c.converged(), 10_000));
  safe(t, c);
  t.end();
});

t.test('crash during fsync tears the last record; restart drops it and rejoins', (t) => {
  const c = cluster(THREE);
  const leader = waitLeader(c);
  const victim = THREE.find((id) => id !== leader)!;
  t.ok(put(c, 'p', '1'));
  let torn = 0;
  for (let round = 0; round < 10 && torn === 0; round++) {
    c.crashDuringNextPersist(victim);
    for (let i = 0; i < 5; i++) put(c, 'p', `${round}.${i}`);
    c.restart(victim);
    torn = c.node(victim).storage.tornLoads;
  }
  t.ok(torn > 0, 'a torn record was detected and dropped on load');
  t.ok(
    c.runUntil(() => c.converged(), 5000),
    'the node rejoins and converges',
  );
  safe(t, c);
  t.end();
});

t.test('membership change during a partition', (t) => {
  const c = cluster([...FIVE, 'n6'], { voters: FIVE });
  const leader = waitLeader(c);
  const others = FIVE.filter((id) => id !== leader);
  const majority = [leader, others[0]!, others[1]!];
  const minority = [others[2]!, others[3]!];
  c.net.partition([[...majority, 'n6'], minority]);
  t.ok(put(c, 'm', '1', leader));
  t.ok(c.proposeConfChange(leader, { type: 'removeVoter', nodeId: minority[0]! }), 'remove a cut-off voter');
  c.run(300);
  t.ok(c.proposeConfChange(leader, { type: 'addVoter', nodeId: 'n6' }), 'then add a new one');
  c.run(1000);
  t.same(c.node(leader).raft!.status().voters, [...majority, minority[1]!, 'n6'].sort());
  t.ok(put(c, 'm', '2', c.leader()));
  for (const id of minority) t.not(role(c, id), 'leader', `${id} in the minority never leads`);
  c.net.heal();
  t.ok(c.runUntil(() => c.converged(), 8000));
  safe(t, c);
  t.end();
});

t.test('a lagging node catches up by snapshot', (t) => {
  const c = cluster(THREE, { compactEvery: 10 });
  const leader = waitLeader(c);
  const lagging = THREE.find((id) => id !== leader)!;
  c.net.isolate(lagging, THREE);
  for (let i = 0; i < 40; i++) t.ok(put(c, `s${i % 4}`, String(i), leader));
  c.net.heal();
  t.ok(c.runUntil(() => c.converged(), 5000));
  t.ok(c.snapshotsInstalled > 0, 'the leader sent a snapshot');
  t.ok((c.node(lagging).raft!.status().snapshotIndex ?? 0) > 0, 'the lagging node installed it');
  safe(t, c);
  t.end();
});

t.test('leadership transfer moves the leader without losing writes', (t) => {
  const c = cluster(THREE);
  const from = waitLeader(c);
  const to = THREE.find((id) => id !== from)!;
  t.ok(put(c, 'q', '1'));
  t.ok(c.transferLeadership(from, to));
  t.ok(
    c.runUntil(() => c.leader() === to, 2000),
    `leadership moved to ${to}`,
  );
  t.equal(request(c, { op: 'get', key: 'q' }, to, true), '1', 'the new leader serves a linearizable read');
  safe(t, c);
  t.end();
});

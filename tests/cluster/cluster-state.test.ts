// The replicated cluster state: identical on every replica, idempotent submissions, one assignment and one
// completion per task, and a task assigned before a leader crash is neither lost nor assigned again after it.
import t from 'tap';
import { type ClusterCommand, ClusterState, decodeCommand } from '../../runtime/cluster/state/cluster-state.js';
import { ManualCluster } from './manual-cluster.js';

const task = (id: string, priority = 1) => ({
  type: 'task.submit' as const,
  task: { id, capability: 'light.set', priority },
});

t.test('commands apply deterministically; refusals change nothing', (t) => {
  const s = new ClusterState();
  const log: ClusterCommand[] = [
    { type: 'gateway.join', id: 'g1', url: 'mqtt://a' },
    { type: 'gateway.join', id: 'g2', url: 'mqtt://b' },
    { type: 'agent.place', agentId: 'lamp', gatewayId: 'g1' },
    task('t1'),
    task('t2', 5),
    task('t1'),
    { type: 'task.assign', taskId: 't1', gatewayId: 'g1', agentId: 'lamp' },
    { type: 'task.assign', taskId: 't1', gatewayId: 'g2', agentId: 'lamp' },
    { type: 'task.finish', taskId: 't1', gatewayId: 'g2', ok: true },
    { type: 'task.finish', taskId: 't1', gatewayId: 'g1', ok: true, result: 42 },
    { type: 'task.finish', taskId: 't1', gatewayId: 'g1', ok: true, result: 43 },
  ];
  const results = log.map((c, i) => s.apply(c, i + 1).ok);
  t.same(results, [true, true, true, true, true, false, true, false, false, true, false]);
  t.equal(s.data.tasks.t1?.status, 'done');
  t.equal(s.data.tasks.t1?.result, 42, 'the first completion wins');
  t.equal(s.data.tasks.t1?.attempts, 1, 'assigned once');
  t.same(
    s.queued().map((x) => x.spec.id),
    ['t2'],
  );
  const copy = new ClusterState();
  copy.restore(s.snapshot());
  t.same(copy.data, s.data, 'snapshot round trip');
  t.notOk(s.apply(task('t9'), 3).ok, 'an old index is not applied twice');
  t.end();
});

t.test('a leaving gateway returns its unfinished tasks to the queue', (t) => {
  const s = new ClusterState();
  s.apply({ type: 'gateway.join', id: 'g1', url: 'u' }, 1);
  s.apply(task('t1'), 2);
  s.apply({ type: 'task.assign', taskId: 't1', gatewayId: 'g1', agentId: 'a' }, 3);
  t.equal(s.assignedTo('g1').length, 1);
  s.apply({ type: 'gateway.leave', id: 'g1' }, 4);
  t.equal(s.data.tasks.t1?.status, 'queued');
  t.same(s.assignedTo('g1'), []);
  t.end();
});

t.test('commands are checked field by field', (t) => {
  t.throws(() => decodeCommand('nope'), /not JSON/);
  t.throws(() => decodeCommand('{"type":"bogus"}'), /unknown type bogus/);
  t.throws(() => decodeCommand('{"type":"task.assign","taskId":"t","gatewayId":""}'), /gatewayId/);
  t.throws(() => decodeCommand('{"type":"task.submit","task":{"id":"t","capability":"c"}}'), /task.priority/);
  t.same(decodeCommand(JSON.stringify(task('t'))), { ...task('t'), task: { ...task('t').task, input: undefined } });
  t.end();
});

t.test('over Raft: an assignment committed before the leader crashes survives, and is not made twice', (t) => {
  const c = new ManualCluster(['s1', 's2', 's3']);
  c.campaign('s1');
  c.flush();
  const propose = (id: string, cmd: ClusterCommand) => c.raft(id).propose(JSON.stringify(cmd));
  propose('s1', { type: 'gateway.join', id: 'g1', url: 'u1' });
  propose('s1', { type: 'gateway.join', id: 'g2', url: 'u2' });
  propose('s1', task('t1'));
  propose('s1', { type: 'task.assign', taskId: 't1', gatewayId: 'g1', agentId: 'lamp' });
  c.flush();
  c.crash('s1');
  c.campaign('s2');
  c.flush();
  t.equal(c.raft('s2').basicStatus().role, 'leader');
  // The new leader's scheduler, unsure, tries again (or a client resubmits): both are refused by the state.
  propose('s2', task('t1'));
  propose('s2', { type: 'task.assign', taskId: 't1', gatewayId: 'g2', agentId: 'lamp' });
  propose('s2', { type: 'task.finish', taskId: 't1', gatewayId: 'g1', ok: true });
  c.flush();
  c.restart('s1');
  c.raft('s2').tick();
  c.flush();
  const states = ['s1', 's2', 's3'].map((id) => {
    const s = new ClusterState();
    for (const e of c.nodes.get(id)!.applied) {
      if (e.type === 'normal' && e.data !== '') s.apply(decodeCommand(e.data), e.index);
    }
    return s;
  });
  t.same(states[0]!.data, states[1]!.data, 's1 and s2 agree');
  t.same(states[1]!.data, states[2]!.data, 's2 and s3 agree');
  const t1 = states[1]!.data.tasks.t1!;
  t.equal(t1.status, 'done');
  t.equal(t1.gatewayId, 'g1', 'still the first assignment');
  t.equal(t1.attempts, 1, 'run once');
  t.same(c.safety.violations, []);
  t.end();
});

// Cluster-level placement by the leader: capability match, least-loaded agent, members only, and a new leader that
// resumes from the replicated state never assigns a task twice.
import t from 'tap';
import { placements } from '../../runtime/cluster/cluster-schedule.js';
import { type ClusterCommand, ClusterState } from '../../runtime/cluster/state/cluster-state.js';

function stateWith(cmds: ClusterCommand[]): ClusterState {
  const s = new ClusterState();
  for (const [i, c] of cmds.entries()) s.apply(c, i + 1);
  return s;
}

const base: ClusterCommand[] = [
  { type: 'gateway.join', id: 'g1', url: 'mqtt://a' },
  { type: 'gateway.join', id: 'g2', url: 'mqtt://b' },
  { type: 'agent.place', agentId: 'cam-1', gatewayId: 'g1', capabilities: ['vision.detect'] },
  { type: 'agent.place', agentId: 'cam-2', gatewayId: 'g2', capabilities: ['vision.detect', 'light.set'] },
  { type: 'agent.place', agentId: 'old', gatewayId: 'g2' },
];

t.test('capability match, least-loaded agent first, ties by id', async (t) => {
  const s = stateWith([
    ...base,
    { type: 'task.submit', task: { id: 'a', capability: 'vision.detect', priority: 0 } },
    { type: 'task.submit', task: { id: 'b', capability: 'vision.detect', priority: 0 } },
    { type: 'task.submit', task: { id: 'c', capability: 'light.set', priority: 5 } },
    { type: 'task.submit', task: { id: 'd', capability: 'fly', priority: 0 } },
  ]);
  const p = placements(s.data, s.queued(), 10);
  t.same(p, [
    { type: 'task.assign', taskId: 'c', gatewayId: 'g2', agentId: 'cam-2' },
    { type: 'task.assign', taskId: 'a', gatewayId: 'g1', agentId: 'cam-1' },
    { type: 'task.assign', taskId: 'b', gatewayId: 'g1', agentId: 'cam-1' },
  ]);
  t.same(placements(s.data, s.queued(), 1).length, 1, 'at most max per round');
});

t.test('a new leader resumes from the committed assignments; a second assignment is refused', async (t) => {
  const s = stateWith([...base, { type: 'task.submit', task: { id: 'a', capability: 'light.set', priority: 0 } }]);
  const [assign] = placements(s.data, s.queued(), 10);
  t.ok(assign, 'placed');
  t.same(s.apply(assign!, 100), { ok: true });
  t.same(placements(s.data, s.queued(), 10), [], 'nothing left to place after the commit');
  t.match(s.apply(assign!, 101), { ok: false, reason: /is assigned/ }, 'an old leader repeating it is refused');
  t.same(
    s.assignedTo('g2').map((x) => x.spec.id),
    ['a'],
  );
});

t.test('agents of a gateway that left are no candidates; capabilities leave with them', async (t) => {
  const s = stateWith([...base, { type: 'gateway.leave', id: 'g2' }]);
  t.same(Object.keys(s.data.capabilities ?? {}), ['cam-1']);
  s.apply({ type: 'task.submit', task: { id: 'c', capability: 'light.set', priority: 0 } }, 50);
  t.same(placements(s.data, s.queued(), 10), []);
});

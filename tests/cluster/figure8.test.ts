// The Raft paper's figure 8: an entry from an older term that reaches a majority must not be committed by counting
// replicas, since a later leader may still overwrite it. Only committing an entry of the current term (which commits
// everything before it) is safe.
import t from 'tap';
import type { Message } from '../../runtime/cluster/raft/types.js';
import { ManualCluster, within } from './manual-cluster.js';

t.test('figure 8: an old-term entry on a majority is not committed, and may be overwritten safely', (t) => {
  // One entry per append message, so S3 can receive index 2 without the new leader's own entry at 3.
  const c = new ManualCluster(['s1', 's2', 's3', 's4', 's5'], { entriesPerMessageMax: 1 });
  // (a) S1 leads term 2 (term 1 elects S1, then a re-election) and replicates index 2 to S2 only.
  c.campaign('s1');
  c.flush();
  t.equal(c.raft('s1').basicStatus().role, 'leader');
  c.crash('s1');
  c.restart('s1');
  c.campaign('s1');
  c.flush();
  const t1 = c.raft('s1').basicStatus().term;
  c.raft('s1').propose('{"x":"from-s1"}');
  c.flush(within('s1', 's2'));
  const idx = c.raft('s1').logView().lastIndex();
  t.equal(c.lastTermAt('s2', idx), t1, 'S2 holds the entry');
  // (b) S1 crashes; S5 wins with S3 and S4 and appends its own entry at the same index, only locally.
  c.crash('s1');
  c.campaign('s5');
  c.flush((m) => within('s3', 's4', 's5')(m) && m.type !== 'app');
  t.equal(c.raft('s5').basicStatus().role, 'leader');
  const t5 = c.raft('s5').basicStatus().term;
  t.equal(c.lastTermAt('s5', idx), t5, 'S5 has a different entry at the same index');
  c.drop();
  // (c) S5 crashes; S1 restarts and wins with S2 and S3 at a higher term, and copies its old entry to S3.
  c.crash('s5');
  c.restart('s1');
  c.campaign('s1');
  // The first attempt only teaches S1 the newer term (S3 answers with it); the second one wins.
  // S1's own new entry (past idx) never arrives anywhere, so only the old entry spreads.
  const oldOnly = (m: Message): boolean | Message => {
    if (!within('s1', 's2', 's3')(m)) return false;
    return m.type === 'app' ? { ...m, entries: m.entries.filter((e) => e.index <= idx) } : true;
  };
  c.flush(oldOnly);
  c.campaign('s1');
  c.flush(oldOnly);
  t.equal(c.raft('s1').basicStatus().role, 'leader');
  t.equal(c.lastTermAt('s3', idx), t1, 'the old-term entry is now on S1, S2, S3: a majority');
  t.ok(c.raft('s1').basicStatus().commit < idx, 'but the leader did not count it as committed');
  // (d) S1 crashes before its own entry spreads; S5 comes back and wins with S2, S3, S4 (its last term is higher).
  c.crash('s1');
  c.restart('s5');
  c.campaign('s5');
  c.flush(within('s2', 's3', 's4', 's5'));
  if (c.raft('s5').basicStatus().role !== 'leader') {
    c.campaign('s5');
    c.flush(within('s2', 's3', 's4', 's5'));
  }
  t.equal(c.raft('s5').basicStatus().role, 'leader');
  t.equal(c.lastTermAt('s3', idx), t5, "S5's entry replaced the old one on S3");
  // Everyone back: the cluster converges on S5's history; no node applied the overwritten entry.
  c.restart('s1');
  c.raft('s5').propose('{"x":"after"}');
  c.raft('s5').tick(); // a heartbeat un-pauses the probe to S1, which was down when S5 took over
  c.flush();
  for (const id of c.ids) t.equal(c.lastTermAt(id, idx), t5, `${id} holds S5's entry`);
  t.same(c.safety.violations, [], 'no safety violation');
  t.end();
});

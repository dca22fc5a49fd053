// Real processes: three cluster nodes (embedded broker each, Raft over MQTT, files on disk); the leader is killed -9
// three times and restarted; each time another node takes over, and no acknowledged write is lost. Times are
// measured by `npm run bench -- failover`, not asserted here.
import t from 'tap';
import { runFailover } from '../../runtime/cluster/host/failover-run.js';

t.test('kill -9 the leader three times: a new leader each time, no acknowledged write lost', async (t) => {
  const r = await runFailover({ size: 3, profile: 'fast', kills: 3, waitMs: 60_000 });
  t.equal(r.electionMs.length, 3, 'a new leader after every kill');
  t.ok(r.acknowledged > 0, `${r.acknowledged} writes acknowledged during the kills`);
  t.equal(r.lost, 0, 'every acknowledged write is readable at the end');
});

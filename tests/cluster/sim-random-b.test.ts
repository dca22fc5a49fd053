// Randomized simulation: seeds 501..1000 of the 2,000 CI seeds (split over four files so tap runs them in parallel
// and no file nears its timeout). A failure names the seed; replay it with `npm run bench -- raft-sim --seed N`.
import t from 'tap';
import { runSeeds } from '../../runtime/cluster/sim/seeds.js';

t.test('seeds 501..1000: no safety violation, linearizable histories, convergence after healing', (t) => {
  const s = runSeeds(501, 500, (r) => t.fail(`seed ${r.seed}: ${r.violations.join('; ')}`));
  t.equal(s.violations, 0, `failing seeds: ${s.failingSeeds.join(', ')}`);
  t.equal(s.notConverged, 0, 'every run converged once the faults healed');
  t.ok(s.crashes > 0 && s.tornLoads > 0 && s.snapshotsInstalled > 0, 'the faults actually happened');
  t.ok(s.ops > 0, `${s.ops} client operations checked`);
  t.end();
});

// Deterministic Raft simulation over many seeds: `npm run bench -- raft-sim --seeds N [--from S]` runs seeds S..S+N-1;
// `--seed X` replays one seed and prints its final node states. Prints each failing seed with the command to replay
// it, and ends with one JSON line.
import { runSeed } from '../runtime/cluster/sim/random-run.js';
import { runSeeds } from '../runtime/cluster/sim/seeds.js';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`--${name} must be a non-negative integer`);
  return v;
}

const one = arg('seed');
if (one !== undefined) {
  const r = runSeed(one, {
    onEnd: (c) => {
      for (const n of c.nodes.values()) {
        const st = n.raft?.status();
        console.log(n.id, st ? JSON.stringify({ ...st, progress: undefined }) : 'down');
      }
    },
  });
  for (const v of r.violations) console.log(`violation: ${v}`);
  console.log(
    JSON.stringify({
      seeds: 1,
      violations: r.ok ? 0 : 1,
      seed: one,
      linearizable: r.linearizable,
      converged: r.converged,
      ...r.stats,
    }),
  );
} else {
  const seeds = arg('seeds') ?? 1000;
  const from = arg('from') ?? 1;
  const t0 = performance.now();
  const s = runSeeds(from, seeds, (r) => {
    console.log(`seed ${r.seed} FAILED: ${r.violations.join('; ')}`);
    console.log(`  replay: npm run bench -- raft-sim --seed ${r.seed}`);
  });
  const ms = Math.round(performance.now() - t0);
  console.log(
    JSON.stringify({
      seeds: s.seeds,
      violations: s.violations,
      failing_seeds: s.failingSeeds,
      not_linearizable: s.notLinearizable,
      linearizability_unknown: s.linearizabilityUnknown,
      not_converged: s.notConverged,
      ops_checked: s.ops,
      ops_unknown: s.unknownOps,
      entries_committed: s.committed,
      crashes: s.crashes,
      torn_loads: s.tornLoads,
      snapshots_installed: s.snapshotsInstalled,
      ms,
      ms_per_seed: Math.round((ms / Math.max(1, s.seeds)) * 10) / 10,
    }),
  );
}

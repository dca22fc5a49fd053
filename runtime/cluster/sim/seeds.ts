// Runs a range of seeds and summarizes; shared by the CI test and bench/raft-sim.ts.
import { runSeed, type SeedResult } from './random-run.js';

export interface SeedsSummary {
  seeds: number;
  violations: number;
  failingSeeds: number[];
  notLinearizable: number;
  linearizabilityUnknown: number;
  notConverged: number;
  ops: number;
  unknownOps: number;
  committed: number;
  crashes: number;
  tornLoads: number;
  snapshotsInstalled: number;
}

export function runSeeds(first: number, count: number, onFail?: (r: SeedResult) => void): SeedsSummary {
  const s: SeedsSummary = {
    seeds: 0,
    violations: 0,
    failingSeeds: [],
    notLinearizable: 0,
    linearizabilityUnknown: 0,
    notConverged: 0,
    ops: 0,
    unknownOps: 0,
    committed: 0,
    crashes: 0,
    tornLoads: 0,
    snapshotsInstalled: 0,
  };
  for (let seed = first; seed < first + count; seed++) {
    const r = runSeed(seed);
    s.seeds++;
    if (!r.ok) {
      s.violations++;
      if (s.failingSeeds.length < 50) s.failingSeeds.push(seed);
      onFail?.(r);
    }
    if (r.linearizable === 'illegal') s.notLinearizable++;
    if (r.linearizable === 'unknown') s.linearizabilityUnknown++;
    if (!r.converged) s.notConverged++;
    s.ops += r.stats.ops;
    s.unknownOps += r.stats.unknownOps;
    s.committed += r.stats.committed;
    s.crashes += r.stats.crashes;
    s.tornLoads += r.stats.tornLoads;
    s.snapshotsInstalled += r.stats.snapshotsInstalled;
  }
  return s;
}

// Leader failover on real processes: `npm run bench -- failover [--kills K] [--sizes 3,5] [--profiles fast,default]`.
// For each profile and cluster size, starts node processes on loopback (embedded broker each, Raft over MQTT, files
// on disk), kills -9 the leader K times (restarting it) under a steady writer, and measures the time until another
// node is leader. Ends with one JSON line; `lost_committed` counts acknowledged writes missing afterwards.
import { percentile, runFailover } from '../runtime/cluster/host/failover-run.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : (process.argv[i + 1] ?? def);
}

const kills = Number(arg('kills', '25'));
if (!Number.isInteger(kills) || kills < 1) throw new TypeError('--kills must be a positive integer');
const sizes = arg('sizes', '3,5').split(',').map(Number);
const profiles = arg('profiles', 'fast,default').split(',') as ('fast' | 'default')[];
const out: Record<string, number | string> = {};
let totalKills = 0;
let lost = 0;
for (const profile of profiles) {
  const all: number[] = [];
  for (const size of sizes) {
    const r = await runFailover({ size, profile, kills });
    all.push(...r.electionMs);
    lost += r.lost;
    console.log(
      `${profile} n=${size}: kills ${r.electionMs.length} p50 ${percentile(r.electionMs, 50).toFixed(0)} ms p99 ${percentile(r.electionMs, 99).toFixed(0)} ms max ${Math.max(...r.electionMs).toFixed(0)} ms; writes acknowledged ${r.acknowledged}, lost ${r.lost}`,
    );
    out[`${profile}_n${size}_p99_ms`] = Math.round(percentile(r.electionMs, 99));
  }
  totalKills += all.length;
  out[`${profile}_kills`] = all.length;
  out[`${profile}_p50_ms`] = Math.round(percentile(all, 50));
  out[`${profile}_p99_ms`] = Math.round(percentile(all, 99));
}
console.log(JSON.stringify({ kills: totalKills, ...out, lost_committed: lost }));

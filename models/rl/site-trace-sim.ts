// A site trace as a gateway would have recorded it, made from a simulated run: the scenario's agents, every arrival
// (without the duration noise, which a gateway never sees) and each finished task's last run on the agent that ran it.
// For tests and benches of site fine-tuning (site-tune.ts), where the true site is known.
import type { Policy } from '../../runtime/scheduler/policy.js';
import { runPolicy } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { parseSiteTrace, type SiteTrace, SiteTraceRecorder } from './site-trace.js';

/** What the gateway would have recorded running `scenario` with `policy`. */
export function recordSimulatedSite(scenario: Scenario, policy: Policy): SiteTrace {
  const result = runPolicy(scenario, policy);
  const rec = new SiteTraceRecorder(Math.max(1000, 2 * scenario.tasks.length));
  for (const a of scenario.agents) {
    // the recorder keeps only the static fields; the rest is what an idle agent would show
    const idle = { used: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 }, running: 0, estFreeAtMs: 0 };
    rec.agent({
      ...idle,
      id: a.id,
      kind: a.kind,
      capabilities: a.capabilities,
      capacity: a.capacity,
      speed: a.speed,
      linkQuality: a.linkQuality,
    });
  }
  scenario.tasks.forEach((task, i) => {
    const { durationFactor: _noise, deadlineMs, ...view } = task;
    rec.arrival(deadlineMs === undefined ? { ...view, attempts: 0 } : { ...view, deadlineMs, attempts: 0 });
    const agent = result.counters.agentOf[i]!;
    const start = result.counters.startMs[i]!;
    const finish = result.counters.finishMs[i]!;
    if (agent < 0 || Number.isNaN(finish)) return;
    rec.placement(task.id, scenario.agents[agent]!.id, start);
    rec.completion(task.id, scenario.agents[agent]!.id, finish);
  });
  // through the parser, as a gateway's file would be read
  return parseSiteTrace(JSON.stringify(rec.toJSON()));
}

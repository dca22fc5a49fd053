// Cluster-level scheduling by the leader: each queued cluster task goes to the least-loaded agent (fewest cluster
// tasks assigned) that has its capability, on a gateway that is a member. A pure function of the replicated state,
// so a new leader resumes from exactly what the old one committed; each placement becomes a `task.assign` log entry,
// and the state machine refuses a second assignment of the same task.
import type { ClusterCommand, ClusterStateData, TaskRecord } from './state/cluster-state.js';

export function placements(
  data: Readonly<ClusterStateData>,
  queued: readonly TaskRecord[],
  max: number,
): ClusterCommand[] {
  const load = new Map<string, number>();
  for (const t of Object.values(data.tasks)) {
    if (t.status === 'assigned' && t.agentId) load.set(t.agentId, (load.get(t.agentId) ?? 0) + 1);
  }
  const caps = data.capabilities ?? {};
  const out: ClusterCommand[] = [];
  for (const task of queued) {
    if (out.length >= max) break;
    let best: string | undefined;
    for (const [agentId, gatewayId] of Object.entries(data.agents)) {
      if (!data.gateways[gatewayId] || !caps[agentId]?.includes(task.spec.capability)) continue;
      const l = load.get(agentId) ?? 0;
      const bl = best === undefined ? Number.POSITIVE_INFINITY : (load.get(best) ?? 0);
      if (l < bl || (l === bl && best !== undefined && agentId < best)) best = agentId;
    }
    if (best === undefined) continue; // waits for an agent with the capability
    load.set(best, (load.get(best) ?? 0) + 1);
    out.push({ type: 'task.assign', taskId: task.spec.id, gatewayId: data.agents[best]!, agentId: best });
  }
  return out;
}

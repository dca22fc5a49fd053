// Reference for the schema-v3 column (39, agent_overdue_ratio), written from its normalization text in features.ts:
// features-equivalence.test.ts checks the extractor against reference-features-v1.ts (columns 0..31),
// reference-features-v2.ts (32..38) plus this. Not used by any runtime code.
import { type Candidates, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import type { Observation } from '../../runtime/scheduler/policy.js';

const OVERDUE_RATIO = 39;

/** `cands` with column 39 set on every pair row (the wait row keeps 0). */
export function referenceWithV3Column(obs: Observation, cands: Candidates): Candidates {
  const features = cands.features.slice();
  for (let r = 0; r < cands.rows; r++) {
    if (r === cands.waitRow) continue;
    const task = obs.tasks[cands.taskIndex[r]!]!;
    const agent = obs.agents[cands.agentIndex[r]!]!;
    const lateMs = agent.overdueMs === undefined || agent.overdueMs < 0 ? 0 : agent.overdueMs;
    features[r * FEATURE_COUNT + OVERDUE_RATIO] = Math.log(1 + lateMs / Math.max(1, task.estDurationMs)) / 3;
  }
  return { ...cands, features };
}

// Feature schema v3 (runtime/scheduler/features.ts, candidate-extractor.ts): agent_overdue_ratio means what its
// normalization text says, on a hand-built observation: how late the agent's running work is, in units of the task.
import t from 'tap';
import { extractCandidates } from '../../runtime/scheduler/candidate-extractor.js';
import { FEATURE_COUNT, FEATURES } from '../../runtime/scheduler/features.js';
import { agent, obs, task } from '../scheduler/fixtures.js';

const OVERDUE = FEATURES.findIndex((f) => f.name === 'agent_overdue_ratio');

t.test('agent_overdue_ratio', async (t) => {
  const now = 10_000;
  const busy = { running: 1, used: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 }, estFreeAtMs: now };
  const o = obs(
    [task('a', { estDurationMs: 1000, arrivalMs: 9000 })],
    [
      agent('late', { ...busy, overdueMs: 500 }),
      agent('on-time', busy),
      agent('idle'),
      agent('odd', { overdueMs: -5 }),
    ],
    now,
  );
  const c = extractCandidates(o, true, { oldestTasksMax: 0, shortestTasksMax: 16 });
  t.equal(OVERDUE, FEATURE_COUNT - 1, 'the last column');
  const at = (ai: number) => {
    for (let r = 0; r < c.rows; r++) if (c.agentIndex[r] === ai) return c.features[r * FEATURE_COUNT + OVERDUE];
    throw new Error(`no row for agent ${ai}`);
  };
  t.equal(at(0), Math.fround(Math.log1p(0.5) / 3), '500 ms late for a 1000 ms task');
  t.equal(at(1), 0, 'running, not late');
  t.equal(at(2), 0, 'overdueMs absent');
  t.equal(at(3), 0, 'a negative value counts as 0');
  t.equal(c.features[c.waitRow * FEATURE_COUNT + OVERDUE], 0, 'the wait row has 0');
});

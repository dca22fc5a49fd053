import t from 'tap';
import type { Observation } from '../runtime/scheduler/policy.js';

t.test('observation type compiles and is plain data', async (t) => {
  const obs: Observation = { nowMs: 0, tasks: [], agents: [] };
  t.same(JSON.parse(JSON.stringify(obs)), obs);
});

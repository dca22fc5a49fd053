// Each baseline on small hand-checked observations.
import t from 'tap';
import { fifoFirstFit } from '../../runtime/scheduler/policies/fifo-first-fit.js';
import { hungarianPolicy } from '../../runtime/scheduler/policies/hungarian-policy.js';
import { leastLoaded } from '../../runtime/scheduler/policies/least-loaded.js';
import { randomPolicy } from '../../runtime/scheduler/policies/random.js';
import { createPolicy, policyNames, registerPolicy } from '../../runtime/scheduler/policies/registry.js';
import { roundRobin } from '../../runtime/scheduler/policies/round-robin.js';
import { shortestJobFirst } from '../../runtime/scheduler/policies/shortest-job-first.js';
import { tetris } from '../../runtime/scheduler/policies/tetris.js';
import type { Placement } from '../../runtime/scheduler/policy.js';
import { agent, obs, pairs, task } from './fixtures.js';

const decide = (p: { decide: (o: never) => unknown }, o: unknown) => p.decide(o as never) as Placement[];

t.test('fifo first-fit: arrival order, first agent that fits, capability respected, backfills', async (t) => {
  const agents = [
    agent('A', { capacity: { cpu: 4, memoryMb: 1024, bandwidthKbps: 1000 } }),
    agent('B', { capabilities: ['x', 'y'], capacity: { cpu: 2, memoryMb: 1024, bandwidthKbps: 1000 } }),
    agent('C', { capabilities: ['y'], capacity: { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 } }),
  ];
  const tasks = [
    task('t1', { demand: { cpu: 3, memoryMb: 0, bandwidthKbps: 0 } }),
    task('t2', { demand: { cpu: 2, memoryMb: 0, bandwidthKbps: 0 } }),
    task('t3', { capability: 'y', demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 } }),
    task('t4', { demand: { cpu: 5, memoryMb: 0, bandwidthKbps: 0 } }),
    task('t5', { demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 } }),
  ];
  t.same(pairs(decide(fifoFirstFit(), obs(tasks, agents))), ['t1>A', 't2>B', 't3>C', 't5>A']);
});

t.test('fifo: nothing placed when nothing fits (wait)', async (t) => {
  const a = agent('A', { used: { cpu: 4, memoryMb: 0, bandwidthKbps: 0 } });
  t.same(decide(fifoFirstFit(), obs([task('t1')], [a])), []);
});

t.test('round-robin: cycles over agents by id across decisions, skipping infeasible ones', async (t) => {
  const agents = [agent('b'), agent('a'), agent('c', { capabilities: ['y'] })];
  const p = roundRobin();
  t.same(pairs(decide(p, obs([task('t1'), task('t2'), task('t3')], agents))), ['t1>a', 't2>b', 't3>a']);
  // the cursor persists: next decision continues after "a"
  t.same(pairs(decide(p, obs([task('t4')], agents))), ['t4>b']);
});

t.test('least-loaded: lowest dominant share, counting this decision; ties to the faster agent', async (t) => {
  const agents = [
    agent('A', { used: { cpu: 2, memoryMb: 0, bandwidthKbps: 0 } }), // cpu share 0.5
    agent('B', { used: { cpu: 0, memoryMb: 768, bandwidthKbps: 0 } }), // memory share 0.75
    agent('C', { used: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 } }), // 0.25
  ];
  // t1 -> C (share 0.25); C then has 0.5, tying with A at equal speed: the first in order (A) is kept
  t.same(pairs(decide(leastLoaded(), obs([task('t1'), task('t2')], agents))), ['t1>C', 't2>A']);
  const fast = [agent('A'), agent('B', { speed: 2 })];
  t.same(pairs(decide(leastLoaded(), obs([task('t1')], fast))), ['t1>B']);
});

t.test('sjf: shortest task first, each on the fastest feasible agent', async (t) => {
  const agents = [
    agent('slow', { capacity: { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 } }),
    agent('fast', {
      speed: 3,
      capacity: { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 },
    }),
  ];
  const tasks = [task('long', { estDurationMs: 9000 }), task('short', { estDurationMs: 100 })];
  t.same(pairs(decide(shortestJobFirst(), obs(tasks, agents))), ['long>slow', 'short>fast']);
});

t.test('tetris: a task goes where its demand aligns with the free resources', async (t) => {
  const cap = { cpu: 4, memoryMb: 4000, bandwidthKbps: 1000 };
  const agents = [
    agent('cpuFree', { capacity: cap, used: { cpu: 0, memoryMb: 3600, bandwidthKbps: 0 } }),
    agent('memFree', { capacity: cap, used: { cpu: 3.6, memoryMb: 0, bandwidthKbps: 0 } }),
  ];
  const tasks = [
    task('cpuHeavy', { demand: { cpu: 0.4, memoryMb: 100, bandwidthKbps: 0 } }),
    task('memHeavy', { demand: { cpu: 0.1, memoryMb: 2000, bandwidthKbps: 0 } }),
  ];
  const p = tetris({ srptWeight: 0, speedWeight: 0 });
  t.same(pairs(decide(p, obs(tasks, agents))), ['cpuHeavy>cpuFree', 'memHeavy>memFree']);
  // with a strong speed term the fast agent wins whatever the alignment
  const fast = [agents[0]!, { ...agents[1]!, speed: 10, used: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 } }];
  t.same(pairs(decide(tetris({ srptWeight: 0, speedWeight: 10 }), obs([tasks[0]!], fast))), ['cpuHeavy>memFree']);
});

t.test('hungarian: optimal matching where greedy FIFO is not', async (t) => {
  const one = { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 };
  const agents = [
    agent('F', { capabilities: ['x', 'y'], speed: 2, capacity: one }),
    agent('S', { capabilities: ['x'], speed: 1, capacity: one }),
  ];
  const tasks = [task('t1'), task('t2', { capability: 'y' })];
  t.same(pairs(decide(fifoFirstFit(), obs(tasks, agents))), ['t1>F']);
  t.same(pairs(decide(hungarianPolicy({ objective: 'finish' }), obs(tasks, agents))), ['t1>S', 't2>F']);
});

t.test('hungarian: waits for a busy fast agent rather than use a very slow one', async (t) => {
  const one = { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 };
  const agents = [
    agent('slow', { speed: 0.1, capacity: one }),
    agent('fast', { speed: 1, capacity: one, used: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 }, estFreeAtMs: 100 }),
  ];
  const o = obs([task('t1')], agents);
  t.same(decide(hungarianPolicy({ objective: 'finish', waitFactor: 1.5 }), o), []);
  // never waits when the waiting alternative is priced out
  t.same(pairs(decide(hungarianPolicy({ objective: 'finish', waitFactor: 100 }), o)), ['t1>slow']);
});

t.test('random: seeded, feasible only, reaches every feasible agent', async (t) => {
  const agents = [agent('A'), agent('B'), agent('C', { capabilities: ['y'] })];
  const o = obs([task('t1')], agents);
  const seen = new Set<string>();
  const a = randomPolicy({ seed: 7 });
  const b = randomPolicy({ seed: 7 });
  for (let i = 0; i < 50; i++) {
    const pa = pairs(decide(a, o));
    t.same(pa, pairs(decide(b, o)));
    for (const p of pa) seen.add(p);
  }
  t.same([...seen].sort(), ['t1>A', 't1>B']);
});

t.test('every baseline: feasible placements only, each task at most once, on a crowded observation', async (t) => {
  const agents = [
    agent('A', { capacity: { cpu: 2, memoryMb: 512, bandwidthKbps: 100 } }),
    agent('B', { capabilities: ['x', 'y'], speed: 2 }),
    agent('C', { capabilities: ['y'], used: { cpu: 3, memoryMb: 0, bandwidthKbps: 0 } }),
  ];
  const tasks = Array.from({ length: 12 }, (_, i) =>
    task(`t${i}`, {
      capability: i % 3 === 0 ? 'y' : 'x',
      estDurationMs: 100 + 97 * i,
      demand: { cpu: 0.5 + (i % 4) * 0.5, memoryMb: 64 * (i % 5), bandwidthKbps: 10 * i },
    }),
  );
  for (const name of policyNames()) {
    const ps = decide(createPolicy(name), obs(tasks, agents));
    t.ok(ps.length > 0, `${name} places something`);
    t.equal(new Set(ps.map((p) => p.taskId)).size, ps.length, `${name}: each task once`);
    const used = new Map(agents.map((a) => [a.id, { ...a.used }]));
    for (const p of ps) {
      const tk = tasks.find((x) => x.id === p.taskId)!;
      const ag = agents.find((x) => x.id === p.agentId)!;
      t.ok(ag.capabilities.includes(tk.capability), `${name}: ${p.taskId} capability on ${p.agentId}`);
      const u = used.get(ag.id)!;
      u.cpu += tk.demand.cpu;
      u.memoryMb += tk.demand.memoryMb;
      u.bandwidthKbps += tk.demand.bandwidthKbps;
      t.ok(
        u.cpu <= ag.capacity.cpu + 1e-9 &&
          u.memoryMb <= ag.capacity.memoryMb + 1e-9 &&
          u.bandwidthKbps <= ag.capacity.bandwidthKbps + 1e-9,
        `${name}: ${p.agentId} not overbooked`,
      );
    }
  }
});

t.test('registry: unknown names and options throw listing the valid ones', async (t) => {
  t.throws(() => createPolicy('nope'), /unknown policy "nope"; valid: random, fifo, round-robin/);
  t.throws(
    () => createPolicy('tetris', { srptWeigth: 1 }),
    /unknown option\(s\) srptWeigth; valid: srptWeight, speedWeight/,
  );
  t.throws(() => createPolicy('hungarian', { objective: 'fast' }), /objective must be one of finish, slowdown/);
  t.throws(() => createPolicy('tetris', { srptWeight: -1 }), /srptWeight must be a number in \[0, 10\]/);
  registerPolicy('test-only-fifo', fifoFirstFit);
  t.ok(policyNames().includes('test-only-fifo'));
  t.throws(() => registerPolicy('test-only-fifo', fifoFirstFit), /already registered/);
});

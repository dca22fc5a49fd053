// The observation window shares its slots by capability, so one backlogged capability cannot hide the tasks behind it.
import t from 'tap';
import { Simulator } from '../../models/sim/index.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { fairWindow } from '../../runtime/scheduler/observation-window.js';

const key = (s: string) => s[0]!;

t.test('a queue that fits is shown whole, in order', async (t) => {
  t.same(fairWindow(['a1', 'b1', 'a2'], key, 3), ['a1', 'b1', 'a2']);
  t.same(fairWindow([], key, 3), []);
});

t.test('a backlogged capability leaves room for the others, in arrival order', async (t) => {
  const q = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'c1', 'c2'];
  // b and c show everything they have (3), a gets the rest (3): its oldest
  t.same(fairWindow(q, key, 6), ['a1', 'a2', 'a3', 'b1', 'c1', 'c2']);
  // two backlogged capabilities share equally; the odd slot goes to the older task
  const q2 = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4'];
  t.same(fairWindow(q2, key, 5), ['a1', 'b1', 'a2', 'b2', 'a3']);
  t.same(fairWindow(q2, key, 1), ['a1']);
});

t.test('every size from 1 to the queue length: exact count, arrival order, fair shares', async (t) => {
  const q: string[] = [];
  for (let i = 0; i < 40; i++) q.push(`${'aaaaabbc'[i % 8]}${i}`);
  for (let max = 1; max <= q.length; max++) {
    const w = fairWindow(q, key, max);
    t.equal(w.length, max, `max ${max}: size`);
    t.ok(
      w.every((x, i) => i === 0 || q.indexOf(x) > q.indexOf(w[i - 1]!)),
      `max ${max}: arrival order`,
    );
    const shown = (k: string) => w.filter((x) => x[0] === k).length;
    const waiting = (k: string) => q.filter((x) => x[0] === k).length;
    for (const k of ['a', 'b', 'c']) {
      for (const other of ['a', 'b', 'c']) {
        // a capability shows fewer than another only when it has nothing more waiting
        if (shown(k) + 1 < shown(other)) t.equal(shown(k), waiting(k), `max ${max}: ${k} vs ${other}`);
      }
    }
  }
});

t.test('bad max is refused', async (t) => {
  t.throws(() => fairWindow(['a'], key, 0), /max must be >= 1/);
});

t.test('the simulator shows other capabilities while one is backlogged', async (t) => {
  const scenario = generateScenario(loadWorkload('train-v1'), { load: 1.5, seed: 5 });
  const sim = new Simulator(scenario, { tasksWindowMax: 16 });
  let maxCapabilities = 0;
  let sawFullWindow = false;
  let sizes = true;
  while (!sim.done) {
    const obs = sim.observation();
    if ((obs.waitingTotal ?? 0) > obs.tasks.length) {
      sawFullWindow = true;
      sizes &&= obs.tasks.length === 16;
      maxCapabilities = Math.max(maxCapabilities, new Set(obs.tasks.map((x) => x.capability)).size);
    }
    sim.step([]);
    if (sim.observation().nowMs > 60_000) break;
  }
  t.ok(sizes, 'a full window shows exactly tasksWindowMax tasks');
  t.ok(sawFullWindow, 'the queue outgrew the window (nothing was placed)');
  t.ok(maxCapabilities >= 3, `capabilities shown together in a full window: ${maxCapabilities}`);
});

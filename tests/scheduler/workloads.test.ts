// Workload files and trace replay round-trip; bad input names its field.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runPolicy } from '../../models/sim/run.js';
import { loadWorkload, parseWorkload, workloadNames } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { measuredLoad } from '../../models/workloads/load.js';
import {
  formatTraceCsv,
  formatTraceJson,
  parseTrace,
  readTraceFile,
  scenarioFromTrace,
} from '../../models/workloads/trace.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'agentos-workloads-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('the shipped workloads: training plus shifted ones, all valid', async (t) => {
  const names = workloadNames();
  for (const n of ['train-v1', 'mix-shift-v1', 'bursty-v1', 'bursty-v2']) t.ok(names.includes(n), n);
  for (const n of names) t.equal(loadWorkload(n).name, n, `${n} loads and is named after its file`);
  t.throws(() => loadWorkload('nope'), /unknown workload "nope"; valid: .*train-v1/);
});

t.test('a workload written to a file and read back gives the same scenarios', async (t) => {
  const w = loadWorkload('bursty-v1');
  const path = join(dir, 'w.json');
  writeFileSync(path, JSON.stringify(w));
  const back = loadWorkload(path);
  t.same(back, w);
  t.same(
    generateScenario(back, { load: 0.8, seed: 3, taskCount: 300 }),
    generateScenario(w, { load: 0.8, seed: 3, taskCount: 300 }),
  );
});

t.test('bad workloads are refused naming the field', async (t) => {
  const w = loadWorkload('train-v1');
  const bad = (patch: (x: typeof w) => void) => {
    const x = structuredClone(w);
    patch(x);
    return () => parseWorkload(JSON.stringify(x), 'w.json');
  };
  t.throws(
    bad((x) => (x.version = 2)),
    /w.json.version must be 1/,
  );
  t.throws(
    bad((x) => (x.taskClasses[0]!.capability = 'fly')),
    /w.json.taskClasses\[0\].capability "fly" is offered by no/,
  );
  t.throws(
    bad((x) => (x.agents[1]!.speed = { min: 2, max: 1 })),
    /w.json.agents\[1\].speed must satisfy/,
  );
  t.throws(
    bad((x) => (x.taskClasses[3]!.demand.cpu.max = 99)),
    /w.json.taskClasses\[3\].demand max demand fits no agent/,
  );
  t.throws(
    bad((x) => (x.arrivals = { process: 'weekly' } as never)),
    /w.json.arrivals.process must be poisson, bursty/,
  );
  t.throws(() => parseWorkload('{nope', 'w.json'), /w.json: not valid JSON/);
});

t.test('trace replay: CSV and JSON round-trip to the same scenario and the same results', async (t) => {
  const w = loadWorkload('train-v1');
  const s = generateScenario(w, { load: 1.0, seed: 11, taskCount: 500 });
  t.ok(
    s.tasks.some((x) => x.deadlineMs !== undefined),
    'some tasks have deadlines',
  );
  for (const [ext, text] of [
    ['csv', formatTraceCsv(s.tasks)],
    ['json', formatTraceJson(s.tasks)],
  ] as const) {
    const path = join(dir, `trace.${ext}`);
    writeFileSync(path, text);
    const replay = scenarioFromTrace(w, readTraceFile(path), { seed: 11, name: s.name });
    t.same(replay.tasks, s.tasks, `${ext}: same tasks`);
    t.same(replay.agents, s.agents, `${ext}: same agents`);
    const a = runPolicy(s, createPolicy('tetris')).summary;
    const b = runPolicy(replay, createPolicy('tetris')).summary;
    t.same(b, a, `${ext}: same results`);
  }
  t.match(
    readFileSync(join(dir, 'trace.csv'), 'utf8'),
    /^arrivalMs,id,capability,cpu,memoryMb,bandwidthKbps,estDurationMs/,
  );
});

t.test('trace replay rescaled to a load offers that load', async (t) => {
  const w = loadWorkload('train-v1');
  const s = generateScenario(w, { load: 0.6, seed: 4, taskCount: 1000 });
  const replay = scenarioFromTrace(w, s.tasks, { seed: 4, load: 1.2 });
  const m = measuredLoad(replay.agents, replay.tasks);
  t.ok(Math.abs(m - 1.2) < 1e-9, `replay offers 1.2 (measured ${m})`);
  t.equal(replay.load, 1.2);
  const k = replay.tasks.findIndex((x) => x.deadlineMs !== undefined);
  t.equal(replay.tasks[k]!.deadlineMs! - replay.tasks[k]!.arrivalMs, s.tasks[k]!.deadlineMs! - s.tasks[k]!.arrivalMs);
});

t.test('a minimal CSV trace (optional columns empty or absent) and bad rows', async (t) => {
  const csv =
    'arrivalMs,capability,cpu,memoryMb,bandwidthKbps,estDurationMs,priority\n0,x,1,0,0,500,3\n10,x,0.5,64,0,700,9\n';
  const tasks = parseTrace(csv);
  t.same(
    tasks.map((x) => [x.id, x.durationFactor, x.deadlineMs]),
    [
      ['t0', 1, undefined],
      ['t1', 1, undefined],
    ],
  );
  t.throws(() => parseTrace('arrivalMs,capability\n0,x\n', 'tr.csv'), /tr.csv: CSV header lacks column "cpu"/);
  t.throws(() => parseTrace(`${csv}5,x,1,0,0,-3,1\n`, 'tr.csv'), /tr.csv row 4.estDurationMs is missing or invalid/);
  t.throws(() => parseTrace('{"version":1,"tasks":[{"arrivalMs":0}]}', 'tr.json'), /tr.json.tasks\[0\].capability/);
});

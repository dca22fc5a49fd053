// The gateway's site trace read across rotation (models/rl/site-trace-dir.ts): the files the live recorder
// (runtime/scheduler/site-trace-file.ts) writes are read oldest first into one trace; a task running across a rotation
// (carried into the next file) appears once with its run; tasksMax keeps the newest tasks; a broken rotated file is
// skipped and named; a single file or a directory both work.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { readSiteTrace, siteTraceFiles } from '../../models/rl/site-trace-dir.js';
import type { TaskView } from '../../runtime/scheduler/policy.js';
import { SiteTraceFile, type TraceAgent } from '../../runtime/scheduler/site-trace-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const agent = (id: string): TraceAgent => ({
  id,
  kind: 'software',
  capabilities: ['work.run'],
  capacity: { cpu: 1, memoryMb: 1024, bandwidthKbps: 1000 },
  linkQuality: 1,
});

const task = (n: number): TaskView => ({
  id: `t-${n}`,
  capability: 'work.run',
  demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 },
  estDurationMs: 100,
  priority: 0,
  arrivalMs: 1000 + n * 10,
  attempts: 0,
});

/** 25 tasks through a recorder rotating every 10 arrivals; t-8 runs across the first rotation */
async function record(dir: string): Promise<void> {
  const file = new SiteTraceFile({
    dir,
    tasksPerFileMax: 10,
    filesMax: 5,
    flushIntervalMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
  await file.start();
  for (let n = 0; n < 25; n++) {
    const x = task(n);
    file.arrival(x);
    file.placement(x, agent(n % 2 ? 'a-odd' : 'a-even'), x.arrivalMs + 1);
    if (n !== 8) file.completion(x.id, n % 2 ? 'a-odd' : 'a-even', x.arrivalMs + 50);
    if (n === 12) file.completion('t-8', 'a-even', 1200); // finished after the rotation at the 11th arrival
  }
  await file.stop();
}

t.test('a rotated trace reads back as one trace', async (t) => {
  const dir = await tempDir(t, 'site-trace-dir-');
  await record(dir);
  const files = siteTraceFiles(dir);
  t.same(
    files.map((f) => f.slice(dir.length + 1)),
    ['site-trace.2.json', 'site-trace.1.json', 'site-trace.json'],
    'oldest first',
  );
  const read = readSiteTrace(dir, { tasksMax: 1000 });
  t.same(read.files, files);
  t.same(read.skipped, []);
  const ids = read.trace.tasks.map((x) => x.id);
  t.same(
    ids,
    Array.from({ length: 25 }, (_, n) => `t-${n}`),
    'every task once, in arrival order',
  );
  t.equal(read.trace.runs.length, 25, 'every run once');
  t.match(
    read.trace.runs.find((r) => r.taskId === 't-8'),
    { agentId: 'a-even', startMs: 1081, durationMs: 119 },
    'the run across the rotation keeps its start',
  );
  const starts = read.trace.runs.map((r) => r.startMs);
  t.same(
    starts,
    [...starts].sort((a, b) => a - b),
    'runs in time order',
  );
  t.same(read.trace.agents.map((a) => a.id).sort(), ['a-even', 'a-odd']);

  const newest = readSiteTrace(dir, { tasksMax: 7 });
  t.same(
    newest.trace.tasks.map((x) => x.id),
    ['t-18', 't-19', 't-20', 't-21', 't-22', 't-23', 't-24'],
    'tasksMax keeps the newest',
  );
  t.equal(newest.droppedTasks, 18);
  t.ok(
    newest.trace.runs.every((r) => Number(r.taskId.slice(2)) >= 18),
    'and only their runs',
  );

  const one = readSiteTrace(join(dir, 'site-trace.json'), { tasksMax: 1000 });
  t.equal(one.files.length, 1, 'a single file is read alone');
  t.ok(one.trace.tasks.length < 25);
});

t.test('a broken rotated file is skipped and named; nothing readable is an error', async (t) => {
  const dir = await tempDir(t, 'site-trace-dir-bad-');
  await record(dir);
  writeFileSync(join(dir, 'site-trace.2.json'), '{"version":1,"agents":[');
  const read = readSiteTrace(dir, { tasksMax: 1000 });
  t.equal(read.files.length, 2);
  t.match(read.skipped, [/site-trace\.2\.json: .*not JSON/]);
  t.ok(read.trace.tasks.length > 0 && read.trace.tasks.length < 25);

  const empty = await tempDir(t, 'site-trace-dir-empty-');
  t.throws(() => readSiteTrace(empty, { tasksMax: 10 }), /no site-trace\*\.json files/);
  t.throws(() => readSiteTrace(join(empty, 'nope'), { tasksMax: 10 }), /no such file or directory/);
  t.throws(() => readSiteTrace(dir, { tasksMax: 0 }), /tasksMax must be an integer > 0/);
});

// The live scheduler's pure parts on a real store in a temp dir, driven with explicit clocks: the lifecycle's timeouts,
// retries and queue order, pruning of finished tasks, the observation built from agent records, and the site trace
// file's rotation (every file a valid trace for the trainer's parser).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { parseSiteTrace, SiteTraceRecorder } from '../../models/rl/site-trace.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { AgentSpeeds } from '../../runtime/scheduler/agent-speeds.js';
import { buildObservation, placedByAgent } from '../../runtime/scheduler/observation-builder.js';
import { OverrunModel } from '../../runtime/scheduler/overrun-model.js';
import { RunObservations } from '../../runtime/scheduler/run-observations.js';
import { SiteTraceFile } from '../../runtime/scheduler/site-trace-file.js';
import { type LifecycleHooks, TaskLifecycle } from '../../runtime/scheduler/task-lifecycle.js';
import { taskView } from '../../runtime/scheduler/task-record.js';
import { TaskStore } from '../../runtime/scheduler/task-store.js';
import { Store } from '../../runtime/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const logger = pino({ level: 'silent' });
const limits = { queueLengthMax: 10, retriesMax: 1, ackTimeoutMs: 1000, runTimeoutFactor: 2, runTimeoutMsMin: 500 };

async function lifecycle(t: Parameters<typeof tempDir>[0], finishedTasksMax = 100) {
  const dir = await tempDir(t, 'agentos-lc-');
  const store = new Store({ dataDir: dir, flushIntervalMs: 10, logger });
  await store.start();
  t.teardown(() => store.stop());
  const tasks = new TaskStore({ store, finishedTasksMax });
  tasks.load();
  const log = { transitions: [] as string[], dropped: [] as string[], stopped: [] as string[] };
  const hooks: LifecycleHooks = {
    transition: (task) => log.transitions.push(`${task.id}:${task.state}`),
    dropped: (ids) => log.dropped.push(...ids),
    stopOnAgent: (task, agentId) => log.stopped.push(`${task.id}@${agentId}`),
    completed: () => undefined,
  };
  return { lc: new TaskLifecycle(tasks, limits, hooks), tasks, log };
}

t.test('timeouts, retries and queue order', async (t) => {
  const { lc, tasks, log } = await lifecycle(t);
  const a = lc.submit({ capability: 'x.run', estDurationMs: 100 }, 0).task;
  const b = lc.submit({ capability: 'x.run', estDurationMs: 100 }, 10).task;
  lc.assign(a.id, 'ag-1', 20);
  t.same(
    tasks.queued().map((x) => x.id),
    [b.id],
  );
  t.equal(lc.sweep(1019), 0, 'not yet: accept timeout is 1000 ms');
  t.equal(lc.sweep(1020), 1, 'no accept within ackTimeoutMs');
  t.same(
    tasks.queued().map((x) => x.id),
    [a.id, b.id],
    're-queued at its arrival position, ahead of the later task',
  );
  t.match(tasks.get(a.id), { state: 'queued', attempts: [{ agentId: 'ag-1', outcome: 'timeout' }] });
  const msg = lc.assign(a.id, 'ag-2', 1100);
  t.equal(msg.attempt, 2, 'the assignment carries its attempt number');
  t.equal(msg.timeoutMs, 500, 'attempt timeout max(runTimeoutMsMin, factor x estimate)');
  lc.update('ag-2', { taskId: a.id, state: 'accepted' }, 1200);
  t.equal(tasks.get(a.id)?.state, 'running');
  lc.update('ag-1', { taskId: a.id, state: 'done', result: 1 }, 1300);
  t.equal(lc.stats.staleUpdates, 1, 'a result from the timed-out attempt is stale');
  t.equal(lc.sweep(1699), 0);
  t.equal(lc.sweep(1700), 1, 'ran longer than its timeout');
  t.match(tasks.get(a.id), { state: 'timed-out', reason: /retriesMax 1/ });
  t.same(log.stopped, [`${a.id}@ag-2`], 'the agent was told to stop');
  t.same(
    log.transitions.filter((x) => x.startsWith(a.id)).map((x) => x.split(':')[1]),
    ['queued', 'assigned', 'queued', 'assigned', 'running', 'timed-out'],
  );
  t.throws(() => lc.assign(a.id, 'ag-3', 1800), /not queued/, 'a finished task cannot be placed');
});

t.test('the same agent placed again: updates of the older attempt are ignored', async (t) => {
  const { lc, tasks } = await lifecycle(t);
  const a = lc.submit({ capability: 'x.run', estDurationMs: 100 }, 0).task;
  lc.assign(a.id, 'ag-1', 0);
  lc.update('ag-1', { taskId: a.id, attempt: 1, state: 'accepted' }, 10);
  t.equal(lc.sweep(600), 1, 'attempt 1 ran past its timeout');
  t.equal(lc.assign(a.id, 'ag-1', 700).attempt, 2, 'placed on the same agent again');
  lc.update('ag-1', { taskId: a.id, attempt: 1, state: 'failed', error: 'aborted: timed out' }, 710);
  t.equal(tasks.get(a.id)?.state, 'assigned', "attempt 1's failure does not touch attempt 2");
  t.equal(lc.stats.staleUpdates, 1);
  lc.update('ag-1', { taskId: a.id, attempt: 2, state: 'done', result: 'ok' }, 800);
  t.match(tasks.get(a.id), { state: 'done', result: 'ok' });
});

t.test('recover: attempts in flight get fresh timeouts after a restart', async (t) => {
  const { lc, tasks } = await lifecycle(t);
  const a = lc.submit({ capability: 'x.run', estDurationMs: 100 }, 0).task;
  lc.assign(a.id, 'ag-1', 0);
  lc.recover(50_000);
  t.equal(lc.sweep(50_500), 0, 'the accept timeout counts from the restart');
  t.equal(lc.sweep(51_000), 1);
  t.equal(tasks.get(a.id)?.state, 'queued');
});

t.test('finished tasks beyond finishedTasksMax are dropped, oldest first; the queue bound', async (t) => {
  const { lc, tasks, log } = await lifecycle(t, 2);
  const ids = [];
  for (let i = 0; i < 4; i++) ids.push(lc.submit({ capability: 'x.run', estDurationMs: 10 }, i).task.id);
  for (const [i, id] of ids.entries()) lc.cancel(id, 'test', 100 + i);
  t.same(log.dropped, ids.slice(0, 2));
  t.equal(tasks.finishedCount, 2);
  t.equal(tasks.get(ids[0]!), undefined);
  for (let i = 0; i < 10; i++) lc.submit({ capability: 'x.run', estDurationMs: 10 }, 200);
  t.throws(() => lc.submit({ capability: 'x.run', estDurationMs: 10 }, 200), {
    body: { code: 'limit_reached' },
    message: /queueLengthMax 10/,
  });
});

function agent(id: string, extra: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id,
    kind: 'robot',
    capabilities: ['x.run'],
    capacity: { cpu: 4, memoryMb: 1000 },
    use: {},
    metadata: {},
    status: 'online',
    statusReason: null,
    state: {},
    telemetry: {},
    registeredAtMs: 0,
    updatedAtMs: 0,
    lastSeenMs: 0,
    lastTelemetryMs: null,
    ...extra,
  };
}

t.test('the observation: online agents, booked or observed use, finish estimate, speed', async (t) => {
  const { lc, tasks } = await lifecycle(t);
  const a = lc.submit({ capability: 'x.run', demand: { cpu: 1, memoryMb: 100 }, estDurationMs: 1000 }, 0).task;
  const b = lc.submit({ capability: 'x.run', estDurationMs: 500, deadlineMs: 9000 }, 5).task;
  lc.assign(a.id, 'r-1', 100);
  const obs = buildObservation(
    {
      agents: () => [
        agent('r-1', { use: { battery: 0.4 }, telemetry: { linkQuality: 0.7 } }),
        agent('r-2', { status: 'offline' }),
        agent('r-3', { capabilities: [] }),
      ],
      observedUse: (id) => (id === 'r-1' ? { cpu: 2.5, memoryMb: 50, bandwidthKbps: 3 } : {}),
      speed: (id) => (id === 'r-1' ? 2 : 1),
    },
    tasks.queued(),
    tasks.queuedCount,
    placedByAgent(tasks.active()),
    200,
  );
  t.same(
    obs.agents.map((x) => x.id),
    ['r-1'],
    'offline agents and agents without capabilities are not shown',
  );
  t.same(obs.agents[0], {
    id: 'r-1',
    kind: 'robot',
    capabilities: ['x.run'],
    capacity: { cpu: 4, memoryMb: 1000, bandwidthKbps: 0 },
    used: { cpu: 2.5, memoryMb: 100, bandwidthKbps: 0 },
    running: 1,
    estFreeAtMs: 100 + 1000 / 2,
    speed: 2,
    linkQuality: 0.7,
    battery: 0.4,
  });
  t.same(obs.tasks, [taskView(tasks.get(b.id)!)]);
  t.match(obs, { nowMs: 200, waitingTotal: 1, tasks: [{ id: b.id, deadlineMs: 9000, arrivalMs: 5, attempts: 0 }] });
});

t.test('the observation with fitted free times: a run past its estimate is not shown as ending now', async (t) => {
  const { lc, tasks } = await lifecycle(t);
  const a = lc.submit({ capability: 'x.run', estDurationMs: 1000 }, 0).task;
  lc.assign(a.id, 'r-1', 100);
  const overrun = new OverrunModel({ samplesMin: 4 });
  for (const r of [0.6, 0.9, 1.2, 1.8, 2.5]) overrun.observe(r);
  const at = (nowMs: number, fitted: boolean) =>
    buildObservation(
      {
        agents: () => [agent('r-1')],
        observedUse: () => ({}),
        speed: () => 2,
        ...(fitted && { expectedEndMs: (s: number, e: number, n: number) => overrun.expectedEndMs(s, e, n) }),
      },
      tasks.queued(),
      tasks.queuedCount,
      placedByAgent(tasks.active()),
      nowMs,
    ).agents[0]!.estFreeAtMs;
  t.equal(at(900, false), 900, 'by the estimate (500 ms at speed 2, started at 100) it "ends now"');
  const fitted = at(900, true);
  t.equal(fitted, overrun.expectedEndMs(100, 500, 900), "the builder asks the model with the run's start");
  t.ok(fitted > 900, `fitted: predicted end ${fitted.toFixed(0)} ms, after now`);
  t.ok(at(300, true) > 600, 'early in the run the prediction includes the overrun the site has seen');
});

t.test('run statistics: speeds first, then overrun ratios; warmed from a previous trace', async (t) => {
  const runs = () => new RunObservations(new AgentSpeeds(), new OverrunModel({ samplesMin: 2 }));
  const live = runs();
  for (let i = 0; i < 5; i++) live.observe('a', 1000, 500, 500);
  t.equal(live.speeds.speed('a'), 2, 'speed from est / observed');
  t.equal(live.overrun.samples, 2, 'the first 3 runs fit the speed; only runs after that count as overrun ratios');
  t.equal(live.overrun.fit()!.mu, 0, 'at the fitted speed these runs took exactly their estimate');

  const dir = await tempDir(t, 'agentos-warm-');
  const rec = new SiteTraceRecorder();
  rec.agent({
    used: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 },
    running: 0,
    estFreeAtMs: 0,
    speed: 1,
    id: 'w',
    kind: 'software',
    capabilities: ['x.run'],
    capacity: { cpu: 1, memoryMb: 1, bandwidthKbps: 1 },
    linkQuality: 1,
  });
  for (let i = 0; i < 8; i++) {
    rec.arrival({
      id: `t${i}`,
      capability: 'x.run',
      demand: { cpu: 1, memoryMb: 0, bandwidthKbps: 0 },
      estDurationMs: 400,
      priority: 5,
      arrivalMs: i * 1000,
      attempts: 0,
    });
    rec.placement(`t${i}`, 'w', i * 1000);
    rec.completion(`t${i}`, 'w', i * 1000 + 200);
  }
  const path = join(dir, 'site-trace.1.json');
  await writeFile(path, JSON.stringify(rec.toJSON()));
  const warned: string[] = [];
  const logger = { warn: (_o: unknown, msg: string) => warned.push(msg) } as never;
  const warm = runs();
  t.equal(await warm.warmStart(path, logger), 8, 'every run of the trace replayed');
  t.equal(warm.speeds.speed('w'), 2, 'the speed is back (400 ms tasks took 200 ms)');
  t.equal(warm.overrun.samples, 5, 'and the overrun ratios after the first 3');
  t.equal(await runs().warmStart(join(dir, 'none.json'), logger), 0, 'no previous trace: nothing, no warning');
  await writeFile(join(dir, 'bad.json'), '{"version": 1, "agents": []');
  t.equal(await runs().warmStart(join(dir, 'bad.json'), logger), 0, 'a broken trace is skipped');
  t.match(warned, [/previous site trace invalid/], 'with one warning');
});

t.test('site trace file: rotation keeps valid traces, running tasks carried over', async (t) => {
  const dir = await tempDir(t, 'agentos-trace-');
  const file = new SiteTraceFile({ dir, tasksPerFileMax: 10, filesMax: 2, flushIntervalMs: 60000, logger });
  await file.start();
  const ag = {
    id: 'a-1',
    kind: 'software' as const,
    capabilities: ['x.run'],
    capacity: { cpu: 1, memoryMb: 1, bandwidthKbps: 1 },
    linkQuality: 1,
  };
  const view = (i: number) => ({
    id: `t-${i}`,
    capability: 'x.run',
    demand: { cpu: 0, memoryMb: 0, bandwidthKbps: 0 },
    estDurationMs: 100,
    priority: 0,
    arrivalMs: i * 10,
    attempts: 0,
  });
  for (let i = 0; i < 25; i++) {
    file.arrival(view(i));
    file.placement(view(i), ag, i * 10 + 1);
    // t-9 is still running when the first file rotates
    if (i !== 9) file.completion(`t-${i}`, 'a-1', i * 10 + 51);
  }
  file.completion('t-9', 'a-1', 300);
  await file.stop();
  const current = parseSiteTrace(await readFile(join(dir, 'site-trace.json'), 'utf8'));
  const previous = parseSiteTrace(await readFile(join(dir, 'site-trace.1.json'), 'utf8'));
  t.same(
    current.tasks.map((x) => x.id),
    ['t-9', 't-20', 't-21', 't-22', 't-23', 't-24'],
    't-9, running through both rotations, was carried into the newest file',
  );
  t.match(
    current.runs.find((r) => r.taskId === 't-9'),
    { agentId: 'a-1', startMs: 91, durationMs: 209 },
    'its run is recorded where its arrival is',
  );
  t.same(
    previous.tasks.map((x) => x.id),
    ['t-9', 't-10', 't-11', 't-12', 't-13', 't-14', 't-15', 't-16', 't-17', 't-18', 't-19'],
  );
  t.equal(previous.runs.length, 10, 'the completed runs of the middle file');
  await t.rejects(readFile(join(dir, 'site-trace.2.json')), { code: 'ENOENT' }, 'filesMax 2: the oldest was deleted');
  t.same(file.stats, { path: join(dir, 'site-trace.json'), arrivals: 5, runs: 25, rotations: 2 });
});

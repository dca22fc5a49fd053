// The simulated devices of examples/devices as real processes against a gateway: the lamp answers light.set, the
// thermostat keeps its setpoint in its storage on the gateway, the robot arm runs a move.to task with progress and
// leaves a handover note in the lamp's mailbox; and examples/jobs/cell-route.json run by the planner and the arm.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { TaskUpdateMessage } from '../../runtime/bus/schemas/task-messages.js';
import { startGateway } from '../helpers/gateway.js';
import { repoRoot } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

function device(t: Test, file: string, url: string, id: string, stateDir: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `examples/devices/${file}`, '--url', url, '--id', id, '--state-dir', join(stateDir, id)],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise((r) => child.once('exit', r));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  return child;
}

t.test('lamp, thermostat and robot arm', async (t) => {
  const gw = await startGateway(t);
  const stateDir = await tempDir(t, 'agentos-examples-');
  const { registry, commands, bus } = gw.gateway.context;
  device(t, 'lamp.ts', gw.url, 'lamp-1', stateDir);
  device(t, 'thermostat.ts', gw.url, 'thermo-1', stateDir);
  device(t, 'robot-arm.ts', gw.url, 'arm-1', stateDir);
  for (const id of ['lamp-1', 'thermo-1', 'arm-1']) {
    await waitFor(() => registry.get(id)?.status === 'online', 30000, `${id} online`);
  }
  t.equal(registry.get('arm-1')?.kind, 'robot');

  const on = await commands.send({
    agentId: 'lamp-1',
    name: 'light.set',
    params: { on: true, brightness: 40 },
    timeoutMs: 5000,
  });
  t.match(on, { ok: true, result: { on: true, brightness: 40 } });
  const bad = await commands.send({
    agentId: 'lamp-1',
    name: 'light.set',
    params: { brightness: 400 },
    timeoutMs: 5000,
  });
  t.match(bad, { ok: false, error: /brightness must be 0..100/ });
  await waitFor(() => registry.get('lamp-1')?.state['brightness'] === 40, 10000, 'lamp state');

  const set = await commands.send({
    agentId: 'thermo-1',
    name: 'climate.set',
    params: { setpointC: 23 },
    timeoutMs: 5000,
  });
  t.match(set, { ok: true, result: { setpointC: 23 } });
  const kv = join(gw.dataDir, 'storage', 'thermo-1', 'kv.json');
  t.same(JSON.parse(readFileSync(kv, 'utf8')), { setpointC: 23 }, 'setpoint kept in the thermostat storage');
  await waitFor(() => typeof registry.get('thermo-1')?.telemetry['temperatureC'] === 'number', 10000, 'temperature');

  const updates: TaskUpdateMessage[] = [];
  await bus.subscribe('agentos/v1/agents/arm-1/task/update', (_topic, payload) => {
    updates.push(JSON.parse(payload.toString()) as TaskUpdateMessage);
  });
  const task = {
    taskId: 't-1',
    capability: 'move.to',
    input: { x: 100, y: 50, z: 10, handoverTo: 'lamp-1' },
    timeoutMs: 10000,
  };
  await bus.publish('agentos/v1/agents/arm-1/task/assign', JSON.stringify(task), { qos: 1 });
  const done = await waitFor(() => updates.find((u) => u.state === 'done'), 20000, 'task done');
  t.match(done, { taskId: 't-1', progress: 1, result: { pos: { x: 100, y: 50, z: 10 } } });
  t.ok(typeof done.msgId === 'string', 'the result went through the durable outbox');
  t.ok(updates.some((u) => u.state === 'accepted'));
  t.ok(
    updates.some((u) => u.state === 'running' && (u.progress ?? 0) > 0 && (u.progress ?? 0) < 1),
    'progress reported',
  );
  const box = join(gw.dataDir, 'mailbox', 'lamp-1.jsonl');
  await waitFor(
    () => existsSync(box) && readFileSync(box, 'utf8').includes('handover'),
    10000,
    'handover in the lamp mailbox',
  );
});

t.test('the job example: the supervised planner and the arm run cell-route.json', async (t) => {
  const gw = await startGateway(t);
  const stateDir = await tempDir(t, 'agentos-examples-job-');
  const { registry } = gw.gateway.context;
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 20000 });
  t.teardown(() => api.close());
  await api.call('agents.run', { dir: join(repoRoot, 'examples/planner-agent') });
  device(t, 'robot-arm.ts', gw.url, 'arm-1', stateDir);
  for (const id of ['planner', 'arm-1']) {
    await waitFor(() => registry.get(id)?.status === 'online', 30000, `${id} online`);
  }
  const spec = JSON.parse(readFileSync(join(repoRoot, 'examples/jobs/cell-route.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  await api.call('jobs.submit', spec);
  type Job = { state: string; result?: { steps: Record<string, unknown> } };
  const job = await waitFor(
    async () => {
      const { job } = await api.call<{ job: Job }>('jobs.get', { jobId: 'cell-route-1' });
      return job.state === 'done' || job.state === 'failed' ? job : null;
    },
    60000,
    'the job ended',
  );
  t.equal(job.state, 'done');
  t.match(job.result?.steps, {
    plan: { steps: 8 },
    'arm-to-pickup': { pos: { x: 120, y: 40, z: 10 } },
    'arm-to-drop': { pos: { x: 300, y: 90, z: 10 } },
  });
});

// npm run bench -- live-tasks [--policy rl] [--agents 8] [--tasks 1000] [--inflight 64] [--work-ms 20]
// The live scheduler end to end through an in-process gateway (embedded aedes on a free port, state in a temp dir)
// with real SDK agents: tasks submitted over the API (each acknowledged once stored, fsync), placed by the policy,
// run by the agents (each sleeps --work-ms), results back through the SDK outbox. Reports submits/s, completed
// tasks/s, submit-to-done latency p50/p99, policy decisions and the mean decision time. Last line: one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { topics } from '../runtime/bus/topics.js';
import { Gateway } from '../runtime/gateway.js';
import { AgentClient, TaskClient } from '../sdk/index.js';
import { benchGatewayConfig } from './lib/live/bench-gateway-config.js';

const { values } = parseArgs({
  options: {
    policy: { type: 'string', default: 'rl' },
    agents: { type: 'string', default: '8' },
    tasks: { type: 'string', default: '1000' },
    inflight: { type: 'string', default: '64' },
    'work-ms': { type: 'string', default: '20' },
  },
});
const agentsN = Number(values.agents);
const tasksN = Number(values.tasks);
const inflight = Number(values.inflight);
const workMs = Number(values['work-ms']);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

const dir = await mkdtemp(join(tmpdir(), 'agentos-bench-live-'));
const config = benchGatewayConfig(dir, {
  policy: values.policy,
  queueLengthMax: Math.max(1000, tasksN),
  finishedTasksMax: tasksN,
});
const gateway = new Gateway(config, { logger: pino({ level: 'warn' }) });
await gateway.start();
const url = gateway.urls.mqtt;
const agents: AgentClient[] = [];
try {
  for (let i = 0; i < agentsN; i++) {
    const a = new AgentClient({
      url,
      agentId: `bench-${i}`,
      stateDir: join(dir, `agent-${i}`),
      kind: 'software',
      capabilities: ['bench.run'],
      capacity: { cpu: 4, memoryMb: 4096, bandwidthKbps: 10000 },
    });
    a.onTask('bench.run', async () => {
      await sleep(workMs);
      return { ok: true };
    });
    await a.start();
    await a.waitConnected(10000);
    agents.push(a);
  }
  const watcher = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  watcher.on('message', (_topic, payload) => {
    if (payload.length === 0) return;
    const m = JSON.parse(payload.toString()) as { taskId: string; state: string };
    const at = submittedAt.get(m.taskId);
    if (m.state === 'done' && at !== undefined) {
      latencies.push(performance.now() - at);
      submittedAt.delete(m.taskId);
    }
  });
  await watcher.subscribeAsync(topics.anyTaskState, { qos: 0 });
  const client = await TaskClient.connect({ url, timeoutMs: 60000 });
  const t0 = performance.now();
  let next = 0;
  const submitter = async () => {
    while (next < tasksN) {
      const i = next++;
      const taskId = `b-${i}`;
      submittedAt.set(taskId, performance.now());
      await client.submit({ taskId, capability: 'bench.run', demand: { cpu: 1 }, estDurationMs: workMs });
    }
  };
  await Promise.all(Array.from({ length: inflight }, submitter));
  const submitS = (performance.now() - t0) / 1000;
  const end = Date.now() + 300_000;
  while (latencies.length < tasksN && Date.now() < end) await sleep(10);
  const totalS = (performance.now() - t0) / 1000;
  const health = (gateway.context.health.report()['tasks'] ?? {}) as Record<string, unknown>;
  const decisions = Number(health['decisions'] ?? 0);
  const result = {
    benchmark: 'live-tasks',
    policy: health['policy'],
    agents: agentsN,
    tasks: tasksN,
    inflight,
    work_ms: workMs,
    completed: latencies.length,
    submits_per_s: round(tasksN / submitS),
    completed_per_s: round(latencies.length / totalS),
    done_latency_p50_ms: round(pct(latencies, 50)),
    done_latency_p99_ms: round(pct(latencies, 99)),
    decisions,
    placements_per_decision: round(Number(health['placements'] ?? 0) / Math.max(1, decisions), 2),
    decision_mean_ms: round(Number(health['decisionMsTotal'] ?? 0) / Math.max(1, decisions), 3),
    placements_refused: health['placementsRefused'],
    cpus: cpus().length,
    loadavg_1m: round(loadavg()[0] ?? 0, 2),
  };
  await client.close();
  await watcher.endAsync(true);
  console.log(JSON.stringify(result));
} finally {
  for (const a of agents) await a.stop();
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
}

// Families read from the sections components add to the `health` report (ctx.health.add): the one place every
// component already publishes its numbers, so the metrics page needs no hook into them. A section that is missing
// (a component left out, the cluster off) or a field of another type leaves its families out instead of inventing 0.
import type { Exposition, Sample } from './exposition.js';

type Obj = Record<string, unknown>;

export function writeHealthMetrics(out: Exposition, report: Obj): void {
  writeCore(out, report);
  writeKernel(out, obj(report['kernel']));
  writeScheduler(out, obj(report['tasks']));
  writeCluster(out, obj(report['cluster']));
}

function writeCore(out: Exposition, report: Obj): void {
  const broker = obj(report['broker']);
  gauge(
    out,
    'agentos_broker_connected_clients',
    'MQTT clients connected to the embedded broker',
    num(broker, 'clients'),
  );
  const inbox = obj(report['inbox']);
  const accepted = num(inbox, 'accepted');
  const refused = num(inbox, 'refused');
  if (accepted !== undefined && refused !== undefined) {
    out.metric(
      'agentos_inbox_messages_total',
      'counter',
      'agent protocol messages (hello, heartbeat, status, telemetry, state) checked by the gateway, by result',
      [
        [{ result: 'accepted' }, accepted],
        [{ result: 'refused' }, refused],
      ],
    );
  }
  gauge(
    out,
    'agentos_commands_pending',
    'commands sent to agents and waiting for a reply',
    num(obj(report['commands']), 'pending'),
  );
  const store = obj(report['store']);
  counter(out, 'agentos_store_flushes_total', 'writes of the state file', num(store, 'flushes'));
  gauge(
    out,
    'agentos_store_last_flush_duration_seconds',
    'duration of the last write of the state file',
    seconds(num(store, 'lastFlushMs')),
  );
  const dirty = store?.['dirty'];
  if (typeof dirty === 'boolean')
    out.gauge('agentos_store_dirty', '1 while changes wait for the next write', dirty ? 1 : 0);
}

function writeKernel(out: Exposition, kernel: Obj | undefined): void {
  const supervised = num(kernel, 'supervised');
  const running = num(kernel, 'running');
  const failed = num(kernel, 'failed');
  if (supervised !== undefined && running !== undefined && failed !== undefined) {
    out.metric(
      'agentos_kernel_supervised_agents',
      'gauge',
      'software agents the supervisor runs, by state (other: starting, backoff, stopping or stopped)',
      [
        [{ state: 'running' }, running],
        [{ state: 'failed' }, failed],
        [{ state: 'other' }, supervised - running - failed],
      ],
    );
  }
  counter(
    out,
    'agentos_kernel_duplicate_messages_dropped_total',
    'repeats of durable messages (same msgId, resent by the SDK outbox) dropped',
    num(kernel, 'duplicatesDropped'),
  );
}

function writeScheduler(out: Exposition, tasks: Obj | undefined): void {
  if (!tasks) return;
  const policy = tasks['policy'];
  if (typeof policy === 'string') {
    out.metric('agentos_scheduler_policy_info', 'gauge', 'the placement policy running now', [[{ policy }, 1]]);
  }
  const active = num(tasks, 'active');
  const queued = num(tasks, 'queued');
  if (active !== undefined && queued !== undefined) {
    out.metric('agentos_scheduler_tasks', 'gauge', 'unfinished tasks by state (in_flight: assigned or running)', [
      [{ state: 'queued' }, queued],
      [{ state: 'in_flight' }, active - queued],
    ]);
  }
  gauge(
    out,
    'agentos_scheduler_tasks_max',
    'unfinished tasks accepted at once (scheduler.queueLengthMax)',
    num(tasks, 'queueLengthMax'),
  );
  gauge(
    out,
    'agentos_scheduler_finished_tasks_kept',
    'finished tasks kept with their results',
    num(tasks, 'finishedKept'),
  );
  counter(out, 'agentos_scheduler_tasks_submitted_total', 'tasks accepted since start', num(tasks, 'submitted'));
  const outcomes: Array<[string, string]> = [
    ['done', 'done'],
    ['failed', 'failed'],
    ['timed_out', 'timedOut'],
    ['cancelled', 'cancelled'],
  ];
  const finished: Sample[] = [];
  for (const [outcome, key] of outcomes) {
    const v = num(tasks, key);
    if (v !== undefined) finished.push([{ outcome }, v]);
  }
  out.metric(
    'agentos_scheduler_tasks_finished_total',
    'counter',
    'tasks that reached a final state, by outcome',
    finished,
  );
  counter(
    out,
    'agentos_scheduler_tasks_requeued_total',
    'attempts lost, failed or timed out and queued again',
    num(tasks, 'requeued'),
  );
  counter(out, 'agentos_scheduler_decisions_total', 'policy decisions', num(tasks, 'decisions'));
  counter(
    out,
    'agentos_scheduler_decision_seconds_total',
    'time spent in policy decisions',
    seconds(num(tasks, 'decisionMsTotal')),
  );
  counter(out, 'agentos_scheduler_placements_total', 'tasks placed on an agent', num(tasks, 'placements'));
  counter(
    out,
    'agentos_scheduler_placements_refused_total',
    'placements dropped: the state changed during the decision, or the policy broke a rule',
    num(tasks, 'placementsRefused'),
  );
  counter(out, 'agentos_scheduler_policy_errors_total', 'policy decisions that threw', num(tasks, 'policyErrors'));
}

const ROLES = ['follower', 'preCandidate', 'candidate', 'leader'] as const;

function writeCluster(out: Exposition, cluster: Obj | undefined): void {
  const role = cluster?.['role'];
  if (typeof role !== 'string') return; // the cluster is off, or its node has not started
  out.metric(
    'agentos_cluster_role',
    'gauge',
    "this node's Raft role, 1 for the current one",
    ROLES.map((r) => [{ role: snake(r) }, r === role ? 1 : 0]),
  );
  gauge(out, 'agentos_cluster_term', 'current Raft term', num(cluster, 'term'));
  gauge(out, 'agentos_cluster_commit_index', 'highest Raft log index known committed', num(cluster, 'commit'));
  const leader = cluster?.['leader'];
  out.gauge(
    'agentos_cluster_has_leader',
    '1 when this node knows a leader',
    typeof leader === 'string' && leader ? 1 : 0,
  );
  const transport = obj(cluster?.['transport']);
  counter(out, 'agentos_cluster_messages_sent_total', 'Raft messages sent to peers', num(transport, 'sent'));
  counter(
    out,
    'agentos_cluster_messages_received_total',
    'Raft messages received from peers',
    num(transport, 'received'),
  );
  const dropped = obj(transport?.['dropped']);
  const samples: Sample[] = [];
  for (const [reason, v] of Object.entries(dropped ?? {})) {
    if (typeof v === 'number') samples.push([{ reason: snake(reason) }, v]);
  }
  out.metric('agentos_cluster_messages_dropped_total', 'counter', 'Raft messages dropped, by reason', samples);
}

function gauge(out: Exposition, name: string, help: string, value: number | undefined): void {
  if (value !== undefined) out.gauge(name, help, value);
}

function counter(out: Exposition, name: string, help: string, value: number | undefined): void {
  if (value !== undefined) out.counter(name, help, value);
}

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function num(o: Obj | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** queueFull -> queue_full: label values in the style of the rest of the page */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// Runs the cluster tasks assigned to this gateway on its own scheduler and reports their end to the cluster. The
// handover is the local `tasks.submit` API method with the cluster task's id as taskId: submitting an existing id
// returns that task, so a restart or a repeated round never starts a task twice. A task that ends locally (done,
// failed, timed out, cancelled) becomes a `task.finish` entry, which the state machine accepts once.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, Unsubscribe } from '../bus/bus.js';
import type { ApiReply } from '../bus/schemas/api-messages.js';
import { topics } from '../bus/topics.js';
import type { ClusterCommand, TaskRecord } from './state/cluster-state.js';

const ENDED = new Set(['done', 'failed', 'timed-out', 'cancelled']);
/** local API calls waiting at once */
const PENDING_MAX = 64;
const CALL_TIMEOUT_MS = 10_000;
const EST_DURATION_MS_DEFAULT = 1000;

export interface TaskRunnerOptions {
  readonly bus: Bus;
  /** whose API runs the tasks (gateway.id) */
  readonly gatewayId: string;
  /** the cluster node id the assignments name */
  readonly nodeId: string;
  readonly logger: Logger;
  /** proposes a command through the leader */
  readonly submit: (cmd: ClusterCommand) => Promise<unknown>;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class ClusterTaskRunner {
  private readonly replyTo: string;
  private readonly pending = new Map<string, Pending>();
  private off: Unsubscribe | undefined;
  private seq = 0;

  constructor(private readonly opts: TaskRunnerOptions) {
    this.replyTo = topics.reply(`cluster-${opts.gatewayId}-${randomBytes(3).toString('hex')}`);
  }

  async start(): Promise<void> {
    if (this.off) return;
    this.off = await this.opts.bus.subscribe(this.replyTo, (_topic, payload) => this.onReply(payload));
  }

  async stop(): Promise<void> {
    const off = this.off;
    this.off = undefined;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('cluster task runner stopped'));
    }
    this.pending.clear();
    await off?.();
  }

  /** Hands over each assigned task (idempotent) and reports those that ended. */
  async round(assigned: readonly TaskRecord[], max: number): Promise<void> {
    for (const t of assigned.slice(0, max)) {
      const { task } = (await this.call('tasks.submit', {
        taskId: t.spec.id,
        capability: t.spec.capability,
        priority: Math.min(9, Math.max(0, Math.round(t.spec.priority))),
        estDurationMs: t.spec.estDurationMs ?? EST_DURATION_MS_DEFAULT,
        ...(t.spec.input === undefined ? {} : { input: t.spec.input }),
      })) as { task: { state: string } };
      if (!ENDED.has(task.state)) continue;
      const full = (await this.call('tasks.get', { taskId: t.spec.id })) as {
        task: { result?: unknown; reason?: string | null };
      };
      // a task without a result (failed, timed out, cancelled) says why: jobs quote the reason in the failed step
      const why = typeof full.task.reason === 'string' ? { reason: full.task.reason } : {};
      await this.opts.submit({
        type: 'task.finish',
        taskId: t.spec.id,
        gatewayId: this.opts.nodeId,
        ok: task.state === 'done',
        result: full.task.result ?? { state: task.state, ...why },
      });
    }
  }

  /** the gateway's own API over its bus, as any client would call it */
  private call(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (!this.off) return Promise.reject(new Error('cluster task runner not started'));
    if (this.pending.size >= PENDING_MAX) return Promise.reject(new Error(`${PENDING_MAX} local calls pending`));
    const id = `${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Timeout after ${CALL_TIMEOUT_MS} ms waiting for local ${method} [id=${id}]`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      const request = JSON.stringify({ id, replyTo: this.replyTo, params });
      this.opts.bus.publish(topics.gatewayApi(this.opts.gatewayId, method), request, { qos: 1 }).catch((e: Error) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(e);
      });
    });
  }

  private onReply(payload: Buffer): void {
    let reply: ApiReply;
    try {
      reply = JSON.parse(payload.toString('utf8')) as ApiReply;
    } catch {
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`${reply.error.code}: ${reply.error.message}`));
  }
}

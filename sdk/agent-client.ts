// The device and agent SDK: connect to a gateway (URL, credentials), register capabilities and resources, publish
// telemetry and state, answer commands and tasks with typed handlers, use storage and the mailbox. Messages that must
// not be lost (state, task updates, mailbox sends, durable telemetry) go through the durable outbox: on disk until the
// broker acknowledges them (QoS2 PUBCOMP by default, or QoS1 PUBACK), resent after a reconnect or a restart with the
// same message id (the gateway drops repeats).
import { EventEmitter } from 'node:events';
import type { AgentKind, Resources, Scalar } from '../drivers/driver.js';
import type { CommandMessage, CommandReplyMessage } from '../runtime/bus/schemas/command-messages.js';
import type { TaskAssignMessage, TaskUpdateMessage } from '../runtime/bus/schemas/task-messages.js';
import { parseAgentTopic, topics } from '../runtime/bus/topics.js';
import type { BackoffOptions } from './backoff.js';
import { Connection } from './connection.js';
import { MailboxClient } from './mailbox-client.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import { RequestMatcher } from './request-matcher.js';
import { StorageClient } from './storage-client.js';
import { type TaskHandler, TaskRunner } from './task-runner.js';

export interface AgentClientOptions {
  /** mqtt://host:1883, mqtts://..., ws://... */
  url: string;
  agentId: string;
  kind?: AgentKind | undefined;
  capabilities?: string[] | undefined;
  capacity?: Partial<Resources> | undefined;
  metadata?: Record<string, Scalar> | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** the durable outbox's folder; one per agent, kept across restarts */
  stateDir: string;
  outbox?: Omit<OutboxOptions, 'dir'> | undefined;
  heartbeatMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
  reconnect?: BackoffOptions | undefined;
  /** durable messages sent and not yet acknowledged at once */
  inflightMax?: number | undefined;
  /**
   * QoS of durable messages (default 2). The embedded broker (aedes) sends a QoS1 PUBACK before it hands the message
   * to the gateway, so a gateway killed right then has acknowledged a message it never stored; with QoS2 the PUBREC
   * follows the gateway's handling, and the outbox keeps the message until PUBCOMP. Use 1 with brokers that store
   * QoS1 messages before acknowledging them.
   */
  durableQos?: 1 | 2 | undefined;
  /** storage calls and mailbox requests, ms */
  requestTimeoutMs?: number | undefined;
  pendingRequestsMax?: number | undefined;
}

export type CommandHandler<P = Record<string, unknown>, R = unknown> = (
  params: P,
  command: CommandMessage,
) => R | Promise<R>;

/** Events: 'connect', 'offline' (reason), 'error' (Error), 'mailboxError' ({ messageId, error }), 'gatewayError' (msg). */
export class AgentClient extends EventEmitter {
  readonly agentId: string;
  readonly storage: StorageClient;
  readonly mailbox: MailboxClient;
  private readonly outbox: Outbox;
  private readonly conn: Connection;
  private readonly matcher: RequestMatcher;
  private readonly tasks: TaskRunner;
  private readonly commands = new Map<string, CommandHandler<never>>();
  private readonly inflight = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private started = false;

  constructor(private readonly opts: AgentClientOptions) {
    super();
    this.agentId = opts.agentId;
    this.outbox = new Outbox({ ...(opts.outbox ?? {}), dir: opts.stateDir });
    this.matcher = new RequestMatcher(opts.pendingRequestsMax ?? 1000);
    const t = (c: Parameters<typeof topics.agent>[1]) => topics.agent(opts.agentId, c);
    this.conn = new Connection({
      url: opts.url,
      clientId: opts.agentId,
      username: opts.username,
      password: opts.password,
      will: {
        topic: t('status'),
        payload: JSON.stringify({ status: 'offline', source: 'agent', reason: 'connection lost' }),
      },
      subscriptions: [t('command'), t('taskAssign'), t('mailbox'), t('mailboxSent'), t('storageReply'), t('error')],
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      keepaliveS: 30,
      reconnect: opts.reconnect ?? { initialMs: 200, maxMs: 10000 },
    });
    const timeoutMs = opts.requestTimeoutMs ?? 10000;
    const link = {
      agentId: opts.agentId,
      matcher: this.matcher,
      timeoutMs,
      send: (topic: string, message: object) => this.sendNow(topic, message),
      sendDurable: (topic: string, message: object, id?: string) => this.sendDurable(topic, message, id),
      emit: (event: string, arg: unknown) => this.emitSafe(event, arg),
    };
    this.storage = new StorageClient(link);
    this.mailbox = new MailboxClient(link);
    this.tasks = new TaskRunner(link);
    // the gateway's scheduler stops a task it cancelled or gave up on with this command (runtime/scheduler/dispatcher.ts)
    this.commands.set('task.cancel', ((p: { taskId?: unknown; reason?: unknown }) => ({
      cancelled: typeof p.taskId === 'string' && this.tasks.cancel(p.taskId, String(p.reason ?? 'cancelled')),
    })) as CommandHandler<never>);
    this.conn.on('up', () => this.onUp());
    this.conn.on('down', (reason: string) => this.onDown(reason));
    this.conn.on('message', (topic: string, payload: Buffer) => this.onMessage(topic, payload));
    this.conn.on('error', (err: Error) => this.emitSafe('error', err));
  }

  /** true while the link to the gateway is up */
  get connected(): boolean {
    return this.conn.connected;
  }

  /** messages in the durable outbox not yet acknowledged */
  get pendingCount(): number {
    return this.outbox.size;
  }

  /** Opens the outbox and starts connecting (in the background, with backoff). Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.outbox.open();
    this.conn.start();
  }

  /** Resolves once connected and registered; rejects after timeoutMs naming the URL. */
  waitConnected(timeoutMs = 10000): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connect', done);
        reject(new Error(`Timeout after ${timeoutMs} ms [connect url=${this.opts.url} agent=${this.agentId}]`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connect', done);
    });
  }

  /** Resolves once every durable message was acknowledged. */
  async flush(timeoutMs = 30000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.outbox.size > 0) {
      if (Date.now() > until) throw new Error(`Timeout after ${timeoutMs} ms [flush pending=${this.outbox.size}]`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Says offline (retained), ends the link, closes the outbox; pending messages stay on disk. Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const offline = JSON.stringify({ status: 'offline', source: 'agent', reason: 'stopped' });
    await this.conn.stop({ topic: topics.agent(this.agentId, 'status'), payload: offline });
    this.matcher.rejectAll(new Error('agent client stopped'));
    this.tasks.stop();
    this.outbox.close();
  }

  /** Measured values; `durable` sends them through the outbox (QoS1, kept until acknowledged). */
  telemetry(values: Record<string, Scalar>, opts: { use?: Partial<Resources>; durable?: boolean } = {}): void {
    const msg = { tsMs: Date.now(), values, ...(opts.use ? { use: opts.use } : {}) };
    if (opts.durable) this.sendDurable(topics.agent(this.agentId, 'telemetry'), msg);
    else this.sendNow(topics.agent(this.agentId, 'telemetry'), msg, 0);
  }

  /** Reported properties (durable). */
  state(state: Record<string, unknown>, opts: { replace?: boolean } = {}): void {
    this.sendDurable(topics.agent(this.agentId, 'state'), { state, ...(opts.replace ? { replace: true } : {}) });
  }

  onCommand<P = Record<string, unknown>, R = unknown>(name: string, handler: CommandHandler<P, R>): this {
    this.commands.set(name, handler as CommandHandler<never>);
    return this;
  }

  /** Handles tasks for a capability; the handler reports progress through its context. */
  onTask<I = unknown, R = unknown>(capability: string, handler: TaskHandler<I, R>): this {
    this.tasks.on(capability, handler as TaskHandler);
    return this;
  }

  private emitSafe(event: string, arg: unknown): void {
    if (event === 'error' && this.listenerCount('error') === 0) return;
    this.emit(event, arg);
  }

  private onUp(): void {
    const o = this.opts;
    const hello = {
      kind: o.kind ?? 'device',
      ...(o.capabilities ? { capabilities: o.capabilities } : {}),
      ...(o.capacity ? { capacity: o.capacity } : {}),
      ...(o.metadata ? { metadata: o.metadata } : {}),
    };
    this.sendNow(topics.agent(this.agentId, 'hello'), hello);
    this.inflight.clear();
    this.pump();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(
      () => this.sendNow(topics.agent(this.agentId, 'heartbeat'), {}, 0),
      o.heartbeatMs ?? 10000,
    );
    this.emit('connect');
  }

  private onDown(reason: string): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.inflight.clear();
    this.emit('offline', reason);
  }

  /** Non-durable publish (QoS1 by default); dropped when offline. */
  private sendNow(topic: string, message: object, qos: 0 | 1 = 1): void {
    this.conn.publish(topic, JSON.stringify(message), qos, false, () => {});
  }

  /** Persists, then sends when connected; returns the message id. Throws OutboxFullError per the outbox policy. */
  private sendDurable(topic: string, message: object, id?: string): string {
    const msgId = id ?? this.outbox.nextId();
    // mailbox sends carry their id as messageId; every other durable message as msgId
    const body = 'messageId' in message ? message : { ...message, msgId };
    this.outbox.add(topic, JSON.stringify(body), msgId);
    this.schedulePump();
    return msgId;
  }

  /** Adds made in one event-loop turn share one fsync before any of them is sent (group commit). */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    this.outbox.sync();
    if (!this.conn.connected) return;
    const max = this.opts.inflightMax ?? 64;
    for (const m of this.outbox.values()) {
      if (this.inflight.size >= max) return;
      if (this.inflight.has(m.id)) continue;
      this.inflight.add(m.id);
      const gen = this.conn.generation;
      this.conn.publish(m.topic, m.payload, this.opts.durableQos ?? 2, false, (err) => {
        // the acknowledgement means the gateway has it, whichever connection carried it
        if (!err) this.outbox.ack(m.id);
        if (gen !== this.conn.generation) return;
        this.inflight.delete(m.id);
        if (!err) this.pump();
      });
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(topic);
    if (!parsed || parsed.agentId !== this.agentId) return;
    let msg: unknown;
    try {
      msg = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    switch (parsed.channel) {
      case 'command':
        void this.runCommand(msg as CommandMessage);
        return;
      case 'taskAssign':
        this.tasks.assign(msg as TaskAssignMessage);
        return;
      case 'mailbox':
        this.mailbox.deliver(msg);
        return;
      case 'mailboxSent':
        this.mailbox.sent(msg);
        return;
      case 'storageReply':
        this.storage.reply(msg);
        return;
      case 'error':
        this.emitSafe('gatewayError', msg);
        return;
      default:
        return;
    }
  }

  private async runCommand(cmd: CommandMessage): Promise<void> {
    const topic = topics.agent(this.agentId, 'commandReply');
    const handler = this.commands.get(cmd.name);
    let reply: CommandReplyMessage;
    if (!handler) reply = { requestId: cmd.requestId, ok: false, code: 404, error: `unknown command ${cmd.name}` };
    else {
      try {
        const result = await handler(cmd.params as never, cmd);
        reply = { requestId: cmd.requestId, ok: true, code: 0, ...(result !== undefined ? { result } : {}) };
      } catch (err) {
        reply = { requestId: cmd.requestId, ok: false, code: 500, error: (err as Error).message.slice(0, 2048) };
      }
    }
    this.sendNow(topic, reply);
  }
}

export type { TaskUpdateMessage };

// Raft messages over MQTT. Each node subscribes to its inbox `<prefix>/cluster/<clusterId>/to/<nodeId>` on its own
// broker; a peer publishes into that inbox as an ordinary client of that broker, so losing one broker only cuts off
// its own node. With every URL the same, all nodes share one external broker. QoS 0 and clean sessions: Raft already
// tolerates loss, duplication, reordering and stale messages, and retransmits what matters. Outgoing messages wait
// for a disconnected broker in a bounded queue per peer (oldest dropped first).
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Message, NodeId } from '../raft/types.js';
import { decodeMessage, encodeMessage, inboxTopic, MESSAGE_BYTES_MAX } from './codec.js';

/** The seam for message authentication (runtime/security's ClusterAuth fits it): seal what is sent, open what arrives. */
export interface ClusterMessageAuth {
  seal(fields: { to: string; term: number; body: Buffer }): Buffer;
  open(
    wire: Buffer,
  ): { ok: true; message: { from: string; to: string; term: number; body: Buffer } } | { ok: false; reason: string };
}

export interface MqttTransportOptions {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  /** Topic prefix (default "agentos"). */
  readonly prefix?: string | undefined;
  /** Broker holding this node's inbox (its embedded broker, or the shared one). */
  readonly inboxUrl: string;
  /** Each peer's broker URL (where its inbox lives). Equal URLs share one connection. */
  readonly peers: Readonly<Record<NodeId, string>>;
  readonly onMessage: (m: Message) => void;
  readonly auth?: ClusterMessageAuth | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** MQTT client id before a random suffix (default `raft-<nodeId>-`); with credentials the broker wants `<username>:`. */
  readonly clientIdPrefix?: string | undefined;
  /** Messages waiting per peer while its broker is unreachable. */
  readonly queueLengthMax?: number | undefined;
  readonly messageBytesMax?: number | undefined;
  readonly reconnectPeriodMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
}

export interface TransportStats {
  sent: number;
  received: number;
  queued: number;
  dropped: Record<
    'queueFull' | 'invalid' | 'foreignCluster' | 'misaddressed' | 'auth' | 'unknownPeer' | 'handler' | 'oversize',
    number
  >;
}

export class MqttTransport {
  private readonly opts: MqttTransportOptions;
  private readonly prefix: string;
  private readonly queueLengthMax: number;
  private readonly messageBytesMax: number;
  private readonly clients = new Map<string, MqttClient>();
  private readonly queues = new Map<NodeId, Buffer[]>();
  private peers: Record<NodeId, string>;
  private running = false;
  readonly stats: TransportStats = {
    sent: 0,
    received: 0,
    queued: 0,
    dropped: {
      queueFull: 0,
      invalid: 0,
      foreignCluster: 0,
      misaddressed: 0,
      auth: 0,
      unknownPeer: 0,
      handler: 0,
      oversize: 0,
    },
  };

  constructor(opts: MqttTransportOptions) {
    this.prefix = opts.prefix ?? 'agentos';
    inboxTopic(this.prefix, opts.clusterId, opts.nodeId); // validates both ids
    for (const id of Object.keys(opts.peers)) inboxTopic(this.prefix, opts.clusterId, id);
    if (typeof opts.inboxUrl !== 'string' || opts.inboxUrl === '') throw new TypeError('inboxUrl must be a broker URL');
    if (typeof opts.onMessage !== 'function') throw new TypeError('onMessage must be a function');
    this.queueLengthMax = positive(opts.queueLengthMax ?? 256, 'queueLengthMax');
    this.messageBytesMax = positive(opts.messageBytesMax ?? MESSAGE_BYTES_MAX, 'messageBytesMax');
    this.opts = opts;
    this.peers = { ...opts.peers };
  }

  private get inbox(): string {
    return inboxTopic(this.prefix, this.opts.clusterId, this.opts.nodeId);
  }

  /** Connects to every broker and subscribes to the inbox; resolves once the inbox subscription holds. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const inbox = this.client(this.opts.inboxUrl);
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    await withTimeout(
      inbox.subscribeAsync(this.inbox, { qos: 0 }),
      timeoutMs,
      `subscribing to ${this.inbox} at ${this.opts.inboxUrl}`,
    ).catch(async (err: unknown) => {
      await this.stop();
      throw err;
    });
    for (const url of Object.values(this.peers)) this.client(url);
  }

  async stop(): Promise<void> {
    this.running = false;
    const clients = [...this.clients.values()];
    this.clients.clear();
    this.queues.clear();
    await Promise.all(clients.map((c) => c.endAsync(true)));
  }

  /** Replaces the peer set (membership change); connections no longer needed are closed. */
  setPeers(peers: Readonly<Record<NodeId, string>>): void {
    for (const id of Object.keys(peers)) inboxTopic(this.prefix, this.opts.clusterId, id);
    this.peers = { ...peers };
    for (const id of this.queues.keys()) if (!(id in peers)) this.queues.delete(id);
    if (!this.running) return;
    const needed = new Set([this.opts.inboxUrl, ...Object.values(peers)]);
    for (const [url, c] of this.clients) {
      if (!needed.has(url)) {
        this.clients.delete(url);
        void c.endAsync(true);
      }
    }
    for (const url of needed) this.client(url);
  }

  /** Sends (or queues) one message; never throws for network trouble, since Raft retries. */
  send(m: Message): void {
    if (!this.running) return;
    const url = this.peers[m.to];
    if (url === undefined) {
      this.stats.dropped.unknownPeer++;
      return;
    }
    let body: Buffer;
    try {
      body = encodeMessage(this.opts.clusterId, m, this.messageBytesMax);
    } catch {
      // Over messageBytesMax: counted and dropped; the core treats it as loss (a snapshot this large needs a bigger limit).
      this.stats.dropped.oversize++;
      return;
    }
    const wire = this.opts.auth ? this.opts.auth.seal({ to: m.to, term: m.term, body }) : body;
    const c = this.clients.get(url);
    if (c?.connected) this.publish(c, m.to, wire);
    else this.enqueue(m.to, wire);
  }

  private publish(c: MqttClient, to: NodeId, wire: Buffer): void {
    this.stats.sent++;
    c.publish(inboxTopic(this.prefix, this.opts.clusterId, to), wire, { qos: 0, retain: false });
  }

  private enqueue(to: NodeId, wire: Buffer): void {
    const q = this.queues.get(to) ?? [];
    if (q.length >= this.queueLengthMax) {
      q.shift(); // the oldest is the least useful to Raft
      this.stats.dropped.queueFull++;
    }
    q.push(wire);
    this.stats.queued++;
    this.queues.set(to, q);
  }

  private flush(url: string): void {
    const c = this.clients.get(url);
    if (!c?.connected) return;
    for (const [to, q] of this.queues) {
      if (this.peers[to] !== url) continue;
      this.queues.delete(to);
      for (const wire of q) this.publish(c, to, wire);
    }
  }

  private client(url: string): MqttClient {
    const existing = this.clients.get(url);
    if (existing) return existing;
    const c = mqtt.connect(url, {
      clientId: `${this.opts.clientIdPrefix ?? `raft-${this.opts.nodeId}-`}${randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 500,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      ...(this.opts.username === undefined ? {} : { username: this.opts.username }),
      ...(this.opts.password === undefined ? {} : { password: this.opts.password }),
    });
    c.on('connect', () => this.flush(url));
    c.on('message', (topic, payload) => {
      if (topic === this.inbox) this.receive(payload);
    });
    c.on('error', () => {
      // reconnects on its own; Raft treats the silence as message loss
    });
    this.clients.set(url, c);
    return c;
  }

  private receive(wire: Buffer): void {
    let body = wire;
    let sealedFrom: string | undefined;
    if (this.opts.auth) {
      const opened = this.opts.auth.open(wire);
      if (!opened.ok) {
        this.stats.dropped.auth++;
        return;
      }
      if (opened.message.to !== this.opts.nodeId) {
        this.stats.dropped.misaddressed++;
        return;
      }
      body = opened.message.body;
      sealedFrom = opened.message.from;
    }
    let env: ReturnType<typeof decodeMessage>;
    try {
      env = decodeMessage(body, this.messageBytesMax);
    } catch {
      this.stats.dropped.invalid++;
      return;
    }
    if (env.cluster !== this.opts.clusterId) {
      this.stats.dropped.foreignCluster++;
      return;
    }
    if (env.msg.to !== this.opts.nodeId) {
      this.stats.dropped.misaddressed++;
      return;
    }
    if (sealedFrom !== undefined && sealedFrom !== env.msg.from) {
      this.stats.dropped.auth++;
      return;
    }
    this.stats.received++;
    try {
      this.opts.onMessage(env.msg);
    } catch {
      this.stats.dropped.handler++;
    }
  }
}

function positive(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timeout after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

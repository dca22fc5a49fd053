// Follower-to-leader requests. Only the leader may propose, so a follower that must change the cluster state (its
// agents, an API call it received) sends the operation to the leader, which proposes it and answers once it is
// applied. Same shape as the Raft transport: each node listens on `<prefix>/cluster/<clusterId>/fwd/<nodeId>` on its
// own broker (or the shared one), a peer publishes into it as a client, and with a site key every request and reply
// is sealed with HMAC (a forged request could otherwise change the cluster state). A request that gets no answer
// within its timeout is rejected naming the peer; the caller retries, and every forwarded operation is idempotent
// or refused by the state machine when repeated.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { ClusterMessageAuth } from '../security/cluster-auth.js';

export interface ForwarderOptions {
  readonly clusterId: string;
  readonly nodeId: string;
  readonly prefix?: string | undefined;
  readonly inboxUrl: string;
  /** the URL of each peer's broker, read at each send (membership changes) */
  readonly peerUrl: (id: string) => string | undefined;
  readonly handle: (from: string, op: unknown) => Promise<unknown>;
  readonly auth?: ClusterMessageAuth | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** requests waiting for a reply at once */
  readonly pendingMax?: number | undefined;
  readonly messageBytesMax?: number | undefined;
}

type Wire =
  | { k: 'req'; rid: string; from: string; op: unknown }
  | { k: 'res'; rid: string; from: string; ok: boolean; result?: unknown; error?: string };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Forwarder {
  readonly stats = { requests: 0, served: 0, dropped: 0 };
  private readonly clients = new Map<string, MqttClient>();
  private readonly pending = new Map<string, Pending>();
  private readonly prefix: string;
  private seq = 0;
  private running = false;

  constructor(private readonly opts: ForwarderOptions) {
    this.prefix = opts.prefix ?? 'agentos';
  }

  private topic(id: string): string {
    return `${this.prefix}/cluster/${this.opts.clusterId}/fwd/${id}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.client(this.opts.inboxUrl).subscribeAsync(this.topic(this.opts.nodeId), { qos: 0 });
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('forwarder stopped'));
    }
    this.pending.clear();
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.endAsync(true)));
  }

  /** Sends `op` to node `to` and resolves with its handler's result. */
  request(to: string, op: unknown, timeoutMs: number): Promise<unknown> {
    const url = this.opts.peerUrl(to);
    if (!this.running) return Promise.reject(new Error('forwarder not started'));
    if (url === undefined) return Promise.reject(new Error(`no broker URL known for node ${to}`));
    if (this.pending.size >= (this.opts.pendingMax ?? 256)) {
      return Promise.reject(new Error(`${this.pending.size} forwarded requests pending (pendingMax)`));
    }
    const rid = `${this.opts.nodeId}-${++this.seq}-${randomBytes(3).toString('hex')}`;
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new Error(`Timeout after ${timeoutMs} ms waiting for node ${to} [forwarded request ${rid}]`));
      }, timeoutMs);
      this.pending.set(rid, { resolve, reject, timer });
      this.send(to, url, { k: 'req', rid, from: this.opts.nodeId, op });
    });
  }

  private send(to: string, url: string, w: Wire): void {
    const body = Buffer.from(JSON.stringify(w));
    const wire = this.opts.auth ? this.opts.auth.seal({ to, term: 0, body }) : body;
    // QoS 1: a request is rare and worth a retransmission; the mqtt client queues it while reconnecting
    this.client(url).publish(this.topic(to), wire, { qos: 1 });
  }

  private client(url: string): MqttClient {
    const existing = this.clients.get(url);
    if (existing) return existing;
    const id = `${this.opts.username ?? `raft-${this.opts.nodeId}`}:fwd-${randomBytes(4).toString('hex')}`;
    const c = mqtt.connect(url, {
      clientId: id,
      clean: true,
      reconnectPeriod: 200,
      connectTimeout: 10_000,
      ...(this.opts.username === undefined ? {} : { username: this.opts.username }),
      ...(this.opts.password === undefined ? {} : { password: this.opts.password }),
    });
    c.on('message', (topic, payload) => {
      if (topic === this.topic(this.opts.nodeId)) this.receive(payload);
    });
    c.on('error', () => {
      // reconnects on its own; a request meanwhile times out and is retried by its caller
    });
    this.clients.set(url, c);
    return c;
  }

  private receive(wire: Buffer): void {
    if (wire.length > (this.opts.messageBytesMax ?? 1024 * 1024)) {
      this.stats.dropped++;
      return;
    }
    let body = wire;
    let sealedFrom: string | undefined;
    if (this.opts.auth) {
      const opened = this.opts.auth.open(wire);
      if (!opened.ok || opened.message.to !== this.opts.nodeId) {
        this.stats.dropped++;
        return;
      }
      body = opened.message.body;
      sealedFrom = opened.message.from;
    }
    let w: Wire;
    try {
      w = JSON.parse(body.toString('utf8')) as Wire;
    } catch {
      this.stats.dropped++;
      return;
    }
    if (typeof w?.rid !== 'string' || typeof w.from !== 'string' || (sealedFrom && sealedFrom !== w.from)) {
      this.stats.dropped++;
      return;
    }
    if (w.k === 'res') this.settle(w);
    else if (w.k === 'req') void this.serve(w);
    else this.stats.dropped++;
  }

  private settle(w: Extract<Wire, { k: 'res' }>): void {
    const p = this.pending.get(w.rid);
    if (!p) return; // late or duplicate reply
    this.pending.delete(w.rid);
    clearTimeout(p.timer);
    if (w.ok) p.resolve(w.result);
    else p.reject(new Error(w.error ?? 'refused'));
  }

  private async serve(w: Extract<Wire, { k: 'req' }>): Promise<void> {
    const url = this.opts.peerUrl(w.from);
    if (url === undefined) {
      this.stats.dropped++;
      return;
    }
    this.stats.served++;
    const reply: Wire = { k: 'res', rid: w.rid, from: this.opts.nodeId, ok: true };
    try {
      reply.result = await this.opts.handle(w.from, w.op);
    } catch (e) {
      reply.ok = false;
      reply.error = (e as Error).message ?? String(e);
    }
    if (this.running) this.send(w.from, url, reply);
  }
}

// The SDK's MQTT link: one mqtt.js client per connection attempt (no hidden in-memory resend queue of mqtt.js between
// attempts; the durable outbox is the only source of resends), reconnecting with exponential backoff, a retained
// last will saying the agent is offline, and a generation number so a late callback of a dead connection is ignored.
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Backoff, type BackoffOptions } from './backoff.js';

export interface ConnectionOptions {
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  will: { topic: string; payload: string };
  /** filters subscribed on each connect, before 'up' is emitted */
  subscriptions: string[];
  connectTimeoutMs: number;
  keepaliveS: number;
  reconnect: BackoffOptions;
}

/** Emits 'up' (client, generation) once subscribed, 'down' (reason), 'message' (topic, payload), 'error' (err). */
export class Connection extends EventEmitter {
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly backoff: Backoff;
  generation = 0;

  constructor(private readonly opts: ConnectionOptions) {
    super();
    this.backoff = new Backoff(opts.reconnect);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    this.stopping = false;
    if (!this.client && !this.timer) this.attempt();
  }

  private attempt(): void {
    this.timer = null;
    const gen = ++this.generation;
    const o = this.opts;
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs,
      keepalive: o.keepaliveS,
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.on('connect', () => {
      // small request/acknowledge packets must not wait for Nagle's algorithm (a 40 ms stall per round trip)
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      client.subscribe(o.subscriptions, { qos: 1 }, (err) => {
        if (gen !== this.generation) return;
        if (err) {
          this.fail(client, gen, `subscribe failed: ${err.message}`);
          return;
        }
        this.backoff.reset();
        this.emit('up', client, gen);
      });
    });
    client.on('message', (topic, payload) => {
      if (gen === this.generation) this.emit('message', topic, payload);
    });
    client.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      this.fail(client, gen, err.message);
    });
    client.on('close', () => this.fail(client, gen, 'connection closed'));
  }

  private fail(client: MqttClient, gen: number, reason: string): void {
    if (gen !== this.generation || this.client !== client) return;
    this.client = null;
    client.removeAllListeners();
    client.on('error', () => {});
    client.end(true);
    this.emit('down', reason);
    if (this.stopping) return;
    this.timer = setTimeout(() => this.attempt(), this.backoff.next());
  }

  /** Publish on the live connection; the callback sees the PUBACK (QoS1), PUBCOMP (QoS2) or the failure. */
  publish(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean, cb: (err?: Error) => void): number | null {
    const client = this.client;
    if (!client?.connected) {
      cb(new Error('not connected'));
      return null;
    }
    client.publish(topic, payload, { qos, retain }, (err) => cb(err ?? undefined));
    return this.generation;
  }

  /** Ends the link; `last` is published (retained status) first when connected. Idempotent. */
  async stop(last?: { topic: string; payload: string }): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    this.generation++;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => {});
    if (client.connected && last) {
      await new Promise<void>((r) => client.publish(last.topic, last.payload, { qos: 1, retain: true }, () => r()));
    }
    await client.endAsync(!client.connected);
  }
}

// The gateway's Bus on an external broker (Mosquitto, EMQX, ...) through one mqtt.js client. mqtt.js is imported
// lazily so the embedded mode does not pay for it at start. Each message the client receives goes once through a
// TopicRouter to every in-process handler that matches; the broker subscriptions are the few non-overlapping filters
// covering the handlers' filters (topic-cover.ts), so a broker that sends one copy per matching subscription still
// sends each message once.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Bus, MessageHandler, PublishOptions, Unsubscribe } from './bus.js';
import { brokerFilters } from './topic-cover.js';
import { TopicRouter } from './topic-router.js';

export interface ExternalBusOptions {
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  connectTimeoutMs: number;
  /** last will: published by the broker if the gateway's connection dies */
  will?: { topic: string; payload: string; retain: boolean; qos: 0 | 1 } | undefined;
  /** called after every reconnect (not the first connect): the broker published the will when the link died, and
   * publishes refused while it was down must be made good (the gateway republishes its retained statuses) */
  onReconnect?: (() => void) | undefined;
  logger: Logger;
}

export class ExternalBus implements Bus {
  readonly mode = 'external' as const;
  readonly #options: ExternalBusOptions;
  readonly #router: TopicRouter;
  /** filters subscribed at the broker now */
  #subscribed = new Set<string>();
  /** broker (un)subscriptions run one after the other: concurrent subscribe() calls must not interleave them */
  #syncing: Promise<void> = Promise.resolve();
  #client: MqttClient | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: ExternalBusOptions) {
    this.#options = options;
    this.#router = new TopicRouter({
      onHandlerError: (err, topic) => options.logger.error({ err, topic }, 'message handler failed'),
    });
  }

  start(): Promise<void> {
    this.#starting ??= this.#start().catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { connect } = await import('mqtt');
    const o = this.#options;
    const opts: IClientOptions = {
      clientId: o.clientId,
      clean: true,
      connectTimeout: o.connectTimeoutMs,
      reconnectPeriod: 1000,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.will ? { will: o.will } : {}),
    };
    const client = connect(o.url, opts);
    try {
      await firstConnect(client, o.connectTimeoutMs, o.url);
    } catch (err) {
      client.end(true);
      throw new Error(`cannot connect to broker ${o.url}: ${(err as Error).message}`);
    }
    client.on('message', (topic, payload) => this.#router.dispatch(topic, payload));
    client.on('error', (err) => o.logger.warn({ err: err.message, url: o.url }, 'external broker error'));
    client.on('offline', () => o.logger.warn({ url: o.url }, 'external broker connection lost; reconnecting'));
    client.on('connect', () => {
      // the first CONNACK was awaited above; this is a reconnect
      o.logger.info({ url: o.url }, 'external broker reconnected');
      o.onReconnect?.();
    });
    this.#client = client;
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    const client = this.#client;
    if (!client) throw new Error(`external bus not started; cannot publish to ${topic}`);
    // refuse rather than queue without bound while the broker is away; retained state is republished on reconnect
    if (!client.connected)
      throw new Error(`external broker ${this.#options.url} unavailable; not published to ${topic}`);
    await client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
  }

  async subscribe(filter: string, handler: MessageHandler): Promise<Unsubscribe> {
    if (!this.#client) throw new Error(`external bus not started; cannot subscribe to ${filter}`);
    const remove = this.#router.add(filter, handler);
    try {
      await this.#syncBroker();
    } catch (err) {
      remove();
      throw err;
    }
    return async () => {
      if (remove().filterStillRouted) return;
      await this.#syncBroker().catch(() => undefined);
    };
  }

  /** brings the broker subscriptions in line with the routed filters: new ones first, then the ones no longer needed */
  #syncBroker(): Promise<void> {
    const run = this.#syncing.then(async () => {
      const client = this.#client;
      if (!client) return;
      const wanted = new Set(brokerFilters(this.#router.filters));
      const added = [...wanted].filter((f) => !this.#subscribed.has(f));
      const dropped = [...this.#subscribed].filter((f) => !wanted.has(f));
      if (added.length > 0) await client.subscribeAsync(added, { qos: 1 });
      for (const f of added) this.#subscribed.add(f);
      for (const f of dropped) this.#subscribed.delete(f);
      if (dropped.length > 0 && client.connected) await client.unsubscribeAsync(dropped).catch(() => undefined);
    });
    this.#syncing = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    const starting = this.#starting;
    if (!starting) return;
    this.#starting = undefined;
    await starting.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    this.#router.clear();
    this.#subscribed = new Set();
    // a clean end waits for in-flight acks, which never come from a broker that is down: then end at once
    if (client) await client.endAsync(!client.connected);
  }
}

/** resolves on the first CONNACK; rejects on the first error or after timeoutMs (the caller ends the client) */
function firstConnect(client: MqttClient, timeoutMs: number, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Timeout after ${timeoutMs} ms [connect ${url}]`)), timeoutMs);
    const onConnect = () => finish();
    const onError = (err: Error) => finish(err);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
}

// The embedded broker: aedes on TCP and on WebSocket, with access control through the BrokerAccess seam. It is also
// the gateway's Bus: in-process subscribers get messages straight from aedes, with no socket hop, through one
// TopicRouter fed by aedes' `published` hook (every message once, whatever number of components subscribed).
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { type BrokerAccess, type BrokerGuard, hasGuard, type Principal } from './access.js';
import type { Bus, HttpHandler, MessageHandler, PublishOptions, Unsubscribe } from './bus.js';
import { guardDedupeOrder } from './dedupe-order.js';
import { type CachedEmitter, cachedEmitter, MATCH_CACHE_TOPICS_MAX } from './match-cache.js';
import { TopicRouter } from './topic-router.js';
import { listenUnix, type UnixListener } from './unix-listener.js';

export interface EmbeddedBrokerOptions {
  /** aedes broker id; the gateway id */
  id: string;
  host: string;
  /** 0 = any free port */
  port: number;
  /** null = no WebSocket listener */
  wsPort: number | null;
  access: BrokerAccess;
  logger: Logger;
  /** MQTT over a Unix socket at this path (unix-listener.ts); null or absent = none */
  unixSocketPath?: string | null | undefined;
}

/** aedes' default: messages its emitter delivers at once before it queues them */
const AEDES_CONCURRENCY = 100;
// aedes' AuthErrorCode is a const enum, which isolated transpilers cannot inline; values from [MQTT-3.2.2.3]
const BAD_USERNAME_OR_PASSWORD = 4;

export class EmbeddedBroker implements Bus {
  readonly mode = 'embedded' as const;
  readonly #options: EmbeddedBrokerOptions;
  readonly #principals = new WeakMap<Client, Principal>();
  readonly #sockets = new Set<Socket>();
  readonly #router: TopicRouter;
  #aedes: Aedes | undefined;
  #tcp: NetServer | undefined;
  #http: HttpServer | undefined;
  #wss: WebSocketServer | undefined;
  #unix: UnixListener | undefined;
  #starting: Promise<void> | undefined;
  #emitter: CachedEmitter | undefined;
  readonly #dedupeOrder = { late: 0 };
  #httpHandler: HttpHandler | undefined;

  constructor(options: EmbeddedBrokerOptions) {
    this.#options = options;
    this.#router = new TopicRouter({
      onHandlerError: (err, topic) => options.logger.error({ err, topic }, 'message handler failed'),
    });
  }

  /** bound TCP port (after start) */
  get port(): number {
    return (this.#tcp?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** bound WebSocket port (after start), or null */
  get wsPort(): number | null {
    const addr = this.#http?.address() as AddressInfo | null | undefined;
    return addr ? addr.port : null;
  }

  /** path of the Unix socket listener (after start), or null */
  get unixSocketPath(): string | null {
    return this.#unix?.path ?? null;
  }

  /** the broker's topic -> subscribers cache (match-cache.ts): whether it is on, and its counters */
  get matchCache(): { cached: boolean; hits: number; misses: number; clears: number } {
    return { cached: this.#emitter?.cached ?? false, ...(this.#emitter?.stats ?? { hits: 0, misses: 0, clears: 0 }) };
  }

  /** plain HTTP requests on the WebSocket listener go to `handler` (bus.ts); without a listener it is never called */
  serveHttp(handler: HttpHandler): () => void {
    this.#httpHandler = handler;
    return () => {
      if (this.#httpHandler === handler) this.#httpHandler = undefined;
    };
  }

  /** packets that reached aedes' fan-out after a later-numbered one, and were kept from its dedupe (dedupe-order.ts) */
  get latePackets(): number {
    return this.#dedupeOrder.late;
  }

  /** connected MQTT clients (sockets and WebSockets) */
  get connectedClients(): number {
    return this.#aedes?.connectedClients ?? 0;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** runtime/security's limits, hooks and TLS listeners, when the access layer has them */
  get #guard(): BrokerGuard | undefined {
    return hasGuard(this.#options.access) ? this.#options.access.guard : undefined;
  }

  async #start(): Promise<void> {
    const emitter = cachedEmitter({ concurrency: AEDES_CONCURRENCY, topicsMax: MATCH_CACHE_TOPICS_MAX });
    if (!emitter.cached) this.#options.logger.warn('mqemitter changed shape: broker runs without its match cache');
    this.#emitter = emitter;
    const aedes = await Aedes.createBroker({
      id: this.#options.id,
      concurrency: AEDES_CONCURRENCY,
      mq: emitter.mq,
      ...this.#hooks(),
    });
    this.#aedes = aedes;
    const clients = (aedes as unknown as { clients: Record<string, object> }).clients;
    if (!guardDedupeOrder(emitter.mq, () => Object.values(clients), this.#dedupeOrder)) {
      this.#options.logger.warn('mqemitter changed shape: out-of-order QoS 1 messages may be dropped by aedes');
    }
    await this.#guard
      ?.start(aedes, () => this.#httpHandler)
      .catch(async (err: unknown) => {
        this.#aedes = undefined;
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        throw err;
      });
    aedes.on('clientError', (client, err) =>
      this.#options.logger.debug({ clientId: client.id, err: err.message }, 'client error'),
    );
    const tcp = createNetServer((socket) => {
      // MQTT packets are small request/replies: Nagle plus delayed ACK would stall each reply by ~40 ms
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      const guard = this.#guard;
      if (guard && !guard.accept(socket, socket.remoteAddress ?? 'unknown')) return;
      aedes.handle(socket);
    });
    this.#tcp = tcp;
    await listen(tcp, this.#options.port, this.#options.host);
    if (this.#options.wsPort !== null) await this.#startWebSocket(aedes, this.#options.wsPort);
    const unixPath = this.#options.unixSocketPath;
    if (unixPath) this.#unix = await listenUnix(unixPath, aedes, this.#guard, this.#sockets);
  }

  async #startWebSocket(aedes: Aedes, port: number): Promise<void> {
    // loaded here: a gateway without a WebSocket listener does not carry the ws package
    const { createWebSocketStream, WebSocketServer } = await import('ws');
    const http = createHttpServer((req, res) => {
      const serve = this.#httpHandler;
      if (serve) serve(req, res);
      else res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
    });
    const guard = this.#guard;
    const wss = new WebSocketServer({ server: http, ...(guard ? { maxPayload: guard.wsPayloadBytesMax } : {}) });
    wss.on('connection', (ws, req) => {
      req.socket.setNoDelay(true); // as for TCP clients: no Nagle delay on small MQTT packets
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      if (guard && !guard.accept(stream, req.socket.remoteAddress ?? 'unknown')) return;
      aedes.handle(stream, req);
    });
    this.#http = http;
    this.#wss = wss;
    await listen(http, port, this.#options.host);
  }

  #hooks() {
    const { access, logger } = this.#options;
    const router = this.#router;
    return {
      // after aedes matched and queued the message for its clients: the one in-process delivery of every publish
      published: (packet: AedesPublishPacket, _client: Client | null, done: (err?: Error | null) => void) => {
        const p = packet.payload;
        router.dispatch(packet.topic, typeof p === 'string' ? Buffer.from(p) : p);
        done(null);
      },
      authenticate: (
        client: Client,
        username: string | undefined,
        password: Buffer | undefined,
        done: (err: AuthenticateError | null, ok: boolean | null) => void,
      ) => {
        access.authenticate(client.id, username, password).then(
          (principal) => {
            if (principal) {
              this.#principals.set(client, principal);
              done(null, true);
              return;
            }
            const err = new Error('bad user name or password') as AuthenticateError;
            err.returnCode = BAD_USERNAME_OR_PASSWORD;
            done(err, false);
          },
          (err: unknown) => {
            logger.error({ err, clientId: client.id }, 'broker access failed; refusing the client');
            done(null, false);
          },
        );
      },
      authorizePublish: (
        client: Client | null,
        packet: { topic: string; payload: Buffer | string },
        cb: (err?: Error | null) => void,
      ) => {
        if (client === null) return cb(null); // the gateway's own publishes
        const principal = this.#principals.get(client);
        const bytes = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
        if (principal && access.authorizePublish(principal, packet.topic, bytes)) return cb(null);
        cb(new Error(`publish to ${packet.topic} not authorized`));
      },
      authorizeSubscribe: (
        client: Client,
        sub: Subscription,
        cb: (err: Error | null, sub?: Subscription | null) => void,
      ) => {
        const principal = this.#principals.get(client);
        // a null subscription makes aedes answer with a failure return code [MQTT-3.9.3]
        cb(null, principal && access.authorizeSubscribe(principal, sub.topic) ? sub : null);
      },
    };
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    const aedes = this.#aedes;
    if (!aedes) return Promise.reject(new Error(`broker not started; cannot publish to ${topic}`));
    const packet = {
      cmd: 'publish' as const,
      topic,
      payload,
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
      dup: false,
    };
    return new Promise((resolve, reject) => aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  }

  subscribe(filter: string, handler: MessageHandler): Promise<Unsubscribe> {
    if (!this.#aedes) return Promise.reject(new Error(`broker not started; cannot subscribe to ${filter}`));
    let remove: () => unknown;
    try {
      remove = this.#router.add(filter, handler);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(async () => {
      remove();
    });
  }

  async stop(): Promise<void> {
    const starting = this.#starting;
    if (!starting) return;
    await starting.catch(() => undefined);
    this.#starting = undefined;
    const { aedes, tcp, http, wss } = { aedes: this.#aedes, tcp: this.#tcp, http: this.#http, wss: this.#wss };
    const unix = this.#unix;
    this.#aedes = this.#tcp = this.#http = this.#wss = this.#unix = undefined;
    this.#router.clear();
    for (const ws of wss?.clients ?? []) ws.terminate();
    wss?.close();
    http?.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all([closeServer(tcp), closeServer(http), unix?.close()]);
    await this.#guard?.stop();
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

function listen(server: NetServer | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: NetServer | HttpServer | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

// A small client of the gateway API over MQTT, used by the CLI, tests and benchmarks: one mqtt.js connection, a
// private reply topic, requests matched by correlation id with a timeout whose error names the call.
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { ApiReply, ErrorBody } from './schemas/api-messages.js';
import { topics } from './topics.js';

export class ApiCallError extends Error {
  readonly body: ErrorBody;
  constructor(method: string, body: ErrorBody) {
    super(`${method}: ${body.message}`);
    this.name = 'ApiCallError';
    this.body = body;
  }
}

export interface ApiClientOptions {
  url: string;
  /** per call unless a call says otherwise */
  timeoutMs?: number | undefined;
  /** address one gateway instead of any gateway on the broker */
  gatewayId?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  method: string;
}

export class ApiClient {
  readonly #client: MqttClient;
  readonly #replyTo: string;
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;
  readonly #gatewayId: string | undefined;
  #seq = 0;

  private constructor(client: MqttClient, replyTo: string, options: ApiClientOptions) {
    this.#client = client;
    this.#replyTo = replyTo;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#gatewayId = options.gatewayId;
    client.on('message', (topic, payload) => {
      if (topic === replyTo) this.#onReply(payload);
    });
  }

  static async connect(options: ApiClientOptions): Promise<ApiClient> {
    const { connectAsync } = await import('mqtt');
    // with credentials the client id must carry the identity (runtime/security: `<id>:<anything>`)
    const suffix = randomBytes(6).toString('hex');
    const clientId = options.username !== undefined ? `${options.username}:cli-${suffix}` : `agentos-cli-${suffix}`;
    const timeoutMs = options.timeoutMs ?? 5000;
    const client = await connectAsync(
      options.url,
      {
        clientId,
        connectTimeout: timeoutMs,
        reconnectPeriod: 0,
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
      },
      false,
    ).catch((err: Error) => {
      throw new Error(
        `cannot connect to ${options.url}: ${err.message || (err as { code?: string }).code || 'refused'}`,
      );
    });
    const replyTo = topics.reply(clientId);
    await client.subscribeAsync(replyTo, { qos: 1 });
    return new ApiClient(client, replyTo, options);
  }

  /** resolves with the method's result; rejects with ApiCallError (error reply) or a timeout naming the call */
  call<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = this.#timeoutMs): Promise<T> {
    const id = `${++this.#seq}`;
    const topic = this.#gatewayId ? topics.gatewayApi(this.#gatewayId, method) : topics.api(method);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`Timeout after ${timeoutMs} ms [method=${method} id=${id}]; is a gateway running there?`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.#client
        .publishAsync(topic, JSON.stringify({ id, replyTo: this.#replyTo, params }), { qos: 1 })
        .catch((err: Error) => {
          clearTimeout(timer);
          this.#pending.delete(id);
          reject(err);
        });
    });
  }

  #onReply(payload: Buffer): void {
    let reply: ApiReply;
    try {
      reply = JSON.parse(payload.toString('utf8')) as ApiReply;
    } catch {
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new ApiCallError(pending.method, reply.error));
  }

  async close(): Promise<void> {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`client closed [method=${p.method}]`));
    }
    this.#pending.clear();
    await this.#client.endAsync(true);
  }
}

// The gateway API over MQTT. Components register methods by name with a params schema; a request on
// agentos/v1/api/{method} (or the gateway-addressed form) is checked, dispatched and answered on its replyTo with the
// same id. Every failure becomes an error reply naming the field; a handler's exception never escapes.
import type { Logger } from 'pino';
import type { Bus, Unsubscribe } from './bus.js';
import { subscribeAll } from './bus.js';
import { publishError } from './publish-error.js';
import type { ApiReply, ApiRequest, ErrorBody } from './schemas/api-messages.js';
import type { JsonSchema } from './schemas/common.js';
import { parseApiTopic, topics } from './topics.js';
import type { MessageValidator } from './validator.js';

/** throw from a handler to answer with a specific error code and field */
export class ApiError extends Error {
  readonly body: ErrorBody;
  constructor(code: ErrorBody['code'], message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.body = { code, message, ...(field !== undefined ? { field } : {}) };
  }
}

export interface ApiMethod<P = Record<string, unknown>> {
  /** one line for docs and `health` */
  summary: string;
  /** JSON Schema of params (an object); checked before the handler runs */
  params: JsonSchema;
  handler(params: P): unknown | Promise<unknown>;
}

export interface ApiRouterOptions {
  bus: Bus;
  validator: MessageValidator;
  gatewayId: string;
  logger: Logger;
  /** requests being handled at once; more are refused with limit_reached */
  inFlightMax: number;
}

const METHOD_RE = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/;

export class ApiRouter {
  readonly #o: ApiRouterOptions;
  readonly #methods = new Map<string, ApiMethod<never>>();
  #inFlight = 0;
  #off: Unsubscribe | undefined;

  constructor(options: ApiRouterOptions) {
    this.#o = options;
  }

  /** adds a method; returns a function removing it. Throws on a bad or duplicate name (a programming error). */
  register<P>(name: string, method: ApiMethod<P>): () => void {
    if (!METHOD_RE.test(name)) throw new Error(`API method name "${name}" must be dotted lowerCamel words`);
    if (this.#methods.has(name)) throw new Error(`API method "${name}" is already registered`);
    this.#methods.set(name, method as ApiMethod<never>);
    return () => {
      if (this.#methods.get(name) === (method as ApiMethod<never>)) this.#methods.delete(name);
    };
  }

  /** name -> summary of every registered method */
  describe(): Record<string, { summary: string; params: JsonSchema }> {
    const out: Record<string, { summary: string; params: JsonSchema }> = {};
    for (const [name, m] of [...this.#methods].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out[name] = { summary: m.summary, params: m.params };
    }
    return out;
  }

  async start(): Promise<void> {
    if (this.#off) return;
    const handler = (topic: string, payload: Buffer) => {
      this.#receive(topic, payload).catch((err: unknown) => this.#o.logger.error({ err, topic }, 'API request failed'));
    };
    this.#off = await subscribeAll(this.#o.bus, [
      [topics.api('+'), handler],
      [topics.gatewayApi(this.#o.gatewayId, '+'), handler],
    ]);
  }

  async stop(): Promise<void> {
    const off = this.#off;
    this.#off = undefined;
    await off?.();
  }

  async #receive(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseApiTopic(topic);
    if (!parsed) return;
    const req = this.#o.validator.parse<ApiRequest>('apiRequest', payload);
    if (!req.ok) {
      // without a valid replyTo there is no one to answer but the error topic
      const replyTo = bestEffortReplyTo(payload);
      if (replyTo) await this.#reply(replyTo.replyTo, { id: replyTo.id, ok: false, error: req.error });
      else publishError(this.#o.bus, topics.errors, topic, this.#o.gatewayId, req.error);
      return;
    }
    const { id, replyTo, params = {} } = req.value;
    await this.#reply(replyTo, await this.#call(parsed.method, id, params));
  }

  async #call(name: string, id: string, params: Record<string, unknown>): Promise<ApiReply> {
    const method = this.#methods.get(name);
    if (!method) {
      const known = [...this.#methods.keys()].sort().join(', ');
      return { id, ok: false, error: { code: 'unknown_method', message: `unknown method "${name}"; known: ${known}` } };
    }
    const checked = this.#o.validator.check<never>(`api:${name}`, method.params, params);
    if (!checked.ok) return { id, ok: false, error: { ...checked.error, field: prefixed(checked.error.field) } };
    if (this.#inFlight >= this.#o.inFlightMax) {
      return {
        id,
        ok: false,
        error: {
          code: 'limit_reached',
          message: `${this.#inFlight} requests in flight (inFlightMax ${this.#o.inFlightMax})`,
        },
      };
    }
    this.#inFlight++;
    try {
      const result = await method.handler(checked.value);
      return { id, ok: true, result: result ?? null };
    } catch (err) {
      return { id, ok: false, error: errorBodyOf(err, this.#o.logger, name) };
    } finally {
      this.#inFlight--;
    }
  }

  async #reply(replyTo: string, reply: ApiReply): Promise<void> {
    await this.#o.bus.publish(replyTo, JSON.stringify(reply), { qos: 1 });
  }
}

function prefixed(field: string | undefined): string {
  return field === undefined || field === '' ? 'params' : `params.${field}`;
}

function errorBodyOf(err: unknown, logger: Logger, method: string): ErrorBody {
  if (err instanceof ApiError) return err.body;
  const body = (err as { body?: ErrorBody }).body;
  if (body && typeof body.code === 'string') return body;
  logger.error({ err, method }, 'API handler threw');
  return { code: 'internal', message: `${method} failed: ${(err as Error).message ?? String(err)}` };
}

/** the id and replyTo of a request that failed validation, if those two fields alone are usable */
function bestEffortReplyTo(payload: Buffer): { id: string; replyTo: string } | null {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { id?: unknown; replyTo?: unknown };
    if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > 128) return null;
    if (typeof v.replyTo !== 'string' || !v.replyTo.startsWith(topics.replyPrefix) || /[+#]/.test(v.replyTo))
      return null;
    return { id: v.id, replyTo: v.replyTo };
  } catch {
    return null;
  }
}

// In-process fan-out of MQTT messages: every handler the gateway's components subscribed, behind ONE delivery from
// the broker (aedes' `published` hook in embedded mode, the mqtt.js client's `message` event in external mode).
// Why: one broker subscription per component made aedes deliver each telemetry message once per overlapping filter
// (kernel inbox and accounting both under agentos/v1/agents/...), each paying the broker's matching and callback
// machinery; an external broker may even send one copy per overlapping subscription ([MQTT-3.3.5-1] allows it).
// Here a message is matched once against a cache of topic -> handlers, and each handler that matches runs once.
import type { MessageHandler, TopicInfo } from './bus.js';
import { levelsMatch, parseAgentTopic } from './topics.js';

export interface TopicRouterOptions {
  /** distinct topics whose handler lists are remembered; the cache is cleared when it is full */
  topicCacheMax?: number | undefined;
  /** a handler threw: the router reports it and carries on with the others */
  onHandlerError: (err: unknown, topic: string) => void;
}

interface Route {
  filter: string;
  /** the filter's levels, split once */
  levels: readonly string[];
  handler: MessageHandler;
}

const TOPIC_CACHE_MAX_DEFAULT = 65536;
const NONE: readonly MessageHandler[] = [];

/** a cached topic: the handlers it reaches and what they are told about it */
interface Entry {
  handlers: readonly MessageHandler[];
  info: TopicInfo;
}

export class TopicRouter {
  readonly #routes: Route[] = [];
  readonly #cache = new Map<string, Entry>();
  /** the last topic dispatched: a device sends runs of messages on one topic, and a string comparison is cheaper
   * than hashing a fresh topic string for the map */
  #lastTopic = '';
  #lastEntry: Entry | undefined;
  readonly #topicCacheMax: number;
  readonly #onHandlerError: (err: unknown, topic: string) => void;

  constructor(options: TopicRouterOptions) {
    this.#topicCacheMax = options.topicCacheMax ?? TOPIC_CACHE_MAX_DEFAULT;
    this.#onHandlerError = options.onHandlerError;
  }

  /** adds a route (throws on a malformed filter); the result removes it and tells whether its filter is still routed */
  add(filter: string, handler: MessageHandler): () => { filterStillRouted: boolean } {
    assertFilter(filter);
    const route: Route = { filter, levels: filter.split('/'), handler };
    this.#routes.push(route);
    this.#forget();
    let removed = false;
    return () => {
      if (!removed) {
        removed = true;
        const i = this.#routes.indexOf(route);
        if (i >= 0) this.#routes.splice(i, 1);
        this.#forget();
      }
      return { filterStillRouted: this.#routes.some((r) => r.filter === filter) };
    };
  }

  /** removes every route (the bus stopped; its subscriptions end with it) */
  clear(): void {
    this.#routes.length = 0;
    this.#forget();
  }

  /** the routes changed: every cached handler list is stale */
  #forget(): void {
    this.#cache.clear();
    this.#lastTopic = '';
    this.#lastEntry = undefined;
  }

  /** distinct filters routed now, in the order they were first added */
  get filters(): string[] {
    return [...new Set(this.#routes.map((r) => r.filter))];
  }

  get routeCount(): number {
    return this.#routes.length;
  }

  /** runs every handler whose filter matches `topic`, once per route, in the order the routes were added */
  dispatch(topic: string, payload: Buffer): void {
    const { handlers, info } = this.#entry(topic);
    for (let i = 0; i < handlers.length; i++) {
      try {
        (handlers[i] as MessageHandler)(topic, payload, info);
      } catch (err) {
        this.#onHandlerError(err, topic);
      }
    }
  }

  /** the handlers `topic` reaches (cached) */
  handlersOf(topic: string): readonly MessageHandler[] {
    return this.#entry(topic).handlers;
  }

  #entry(topic: string): Entry {
    const last = this.#lastEntry;
    if (last !== undefined && topic === this.#lastTopic) return last;
    let entry = this.#cache.get(topic);
    if (entry === undefined) {
      const handlers = this.#match(topic);
      entry = { handlers, info: { agent: handlers.length > 0 ? parseAgentTopic(topic) : null } };
      if (this.#cache.size >= this.#topicCacheMax) this.#cache.clear();
      this.#cache.set(topic, entry);
    }
    this.#lastTopic = topic;
    this.#lastEntry = entry;
    return entry;
  }

  #match(topic: string): readonly MessageHandler[] {
    const levels = topic.split('/');
    const out: MessageHandler[] = [];
    for (const route of this.#routes) if (levelsMatch(route.levels, levels)) out.push(route.handler);
    return out.length === 0 ? NONE : out;
  }
}

/** [MQTT-4.7.1-2] '#' alone in the last level; [MQTT-4.7.1-3] '+' alone in its level; [MQTT-4.7.3-1] not empty */
export function assertFilter(filter: string): void {
  if (filter.length === 0) throw new TypeError('topic filter is empty');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    const wild = level.includes('#') || level.includes('+');
    const alone = level === '+' || (level === '#' && i === levels.length - 1);
    if (wild && !alone) throw new TypeError(`topic filter ${JSON.stringify(filter)}: bad wildcard in level ${i + 1}`);
  });
}

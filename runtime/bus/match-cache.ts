// The embedded broker's message emitter (mqemitter, as aedes builds it by default) with a cache of topic -> matching
// subscribers in front of its Qlobber matcher.
// Why: aedes matches every published message against every subscription, and the matcher splits the topic into
// levels and walks its trie each time: about 6% of the gateway's CPU per telemetry message, spent mostly to find that
// no MQTT client subscribed (the gateway's own components are served by the TopicRouter). Devices publish on a few
// fixed topics, so the answer for a topic is remembered until any subscription changes.
// Correctness: the cache is cleared inside the matcher's add and remove, the moment the subscription set changes (not
// when mqemitter is asked, since its removeListener defers the removal to setImmediate). The cached arrays are the
// matcher's own results, which mqemitter's fan-out only reads.
import mqemitter from 'mqemitter';

/** what mqemitter calls on its matcher (Qlobber's add, remove and match) */
interface Matcher {
  add(topic: string, value: unknown): unknown;
  remove(topic: string, value?: unknown): unknown;
  match(topic: string): unknown[];
}

export interface MatchCacheOptions {
  /** aedes' concurrency option (messages delivered at once before mqemitter queues them); aedes' default is 100 */
  concurrency: number;
  /** distinct topics remembered; the cache is cleared when it is full (a device fleet's topics fit many times) */
  topicsMax: number;
}

export const MATCH_CACHE_TOPICS_MAX = 16384;
/** shared by every cached topic without subscribers (mqemitter's fan-out only reads it) */
const NO_MATCH: unknown[] = [];

export interface CachedEmitter {
  /** pass as aedes' `mq` option */
  mq: mqemitter.MQEmitter;
  /** false when mqemitter's matcher is not the shape this module knows (an upgrade): no cache, plain matching */
  cached: boolean;
  stats: { hits: number; misses: number; clears: number };
}

export function cachedEmitter(options: MatchCacheOptions): CachedEmitter {
  // the options aedes gives mqemitter itself ([MQTT-4.7.1-3]: empty levels are levels)
  const mq = mqemitter({ concurrency: options.concurrency, matchEmptyLevels: true });
  const stats = { hits: 0, misses: 0, clears: 0 };
  const holder = mq as unknown as { _matcher?: unknown };
  const inner = holder._matcher;
  if (!isMatcher(inner)) return { mq, cached: false, stats };
  holder._matcher = new CachingMatcher(inner, options.topicsMax, stats);
  return { mq, cached: true, stats };
}

function isMatcher(x: unknown): x is Matcher {
  const m = x as Partial<Matcher> | null | undefined;
  return typeof m?.add === 'function' && typeof m.remove === 'function' && typeof m.match === 'function';
}

class CachingMatcher implements Matcher {
  readonly #inner: Matcher;
  readonly #topicsMax: number;
  readonly #stats: CachedEmitter['stats'];
  readonly #cache = new Map<string, unknown[]>();

  constructor(inner: Matcher, topicsMax: number, stats: CachedEmitter['stats']) {
    this.#inner = inner;
    this.#topicsMax = topicsMax;
    this.#stats = stats;
  }

  add(topic: string, value: unknown): unknown {
    this.#clear();
    return this.#inner.add(topic, value);
  }

  remove(topic: string, value?: unknown): unknown {
    this.#clear();
    return this.#inner.remove(topic, value); // Qlobber: an undefined value removes every value of the topic
  }

  match(topic: string): unknown[] {
    let hit = this.#cache.get(topic);
    if (hit !== undefined) {
      this.#stats.hits++;
      return hit;
    }
    this.#stats.misses++;
    hit = this.#inner.match(topic);
    if (hit.length === 0) hit = NO_MATCH; // the common answer, one array for every topic nobody subscribed
    if (this.#cache.size >= this.#topicsMax) this.#clear();
    this.#cache.set(topic, hit);
    return hit;
  }

  #clear(): void {
    if (this.#cache.size === 0) return;
    this.#cache.clear();
    this.#stats.clears++;
  }
}

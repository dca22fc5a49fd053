// The gateway's local state: one lowdb document of named namespaces ("agents", and whatever other components add),
// written in batches: changes mark the store dirty and one timer writes at most once per flushIntervalMs, so a
// telemetry burst does not rewrite the file per message. stop() writes what is pending.
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import { FsyncJsonFile } from './fsync-json-file.js';

export interface StoreOptions {
  dataDir: string;
  flushIntervalMs: number;
  logger: Logger;
  /** file name inside dataDir */
  fileName?: string | undefined;
}

export interface StoreDocument {
  /** bumped when the document's shape changes; migrations key on it */
  schemaVersion: 1;
  namespaces: Record<string, unknown>;
}

export interface StoreStats {
  flushes: number;
  lastFlushMs: number | null;
  dirty: boolean;
}

export class Store {
  readonly path: string;
  readonly #options: StoreOptions;
  #db: Low<StoreDocument> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;
  #dirty = false;
  #flushing: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #flushes = 0;
  #lastFlushMs: number | null = null;

  constructor(options: StoreOptions) {
    this.#options = options;
    this.path = join(options.dataDir, options.fileName ?? 'state.json');
  }

  start(): Promise<void> {
    this.#starting ??= this.#start().catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const db = new Low<StoreDocument>(new FsyncJsonFile(this.path), { schemaVersion: 1, namespaces: {} });
    await db.read();
    if (db.data.schemaVersion !== 1 || typeof db.data.namespaces !== 'object' || db.data.namespaces === null) {
      throw new Error(`state file ${this.path} has an unknown shape (schemaVersion ${String(db.data.schemaVersion)})`);
    }
    this.#db = db;
  }

  #data(): StoreDocument {
    if (!this.#db) throw new Error('store not started');
    return this.#db.data;
  }

  /** the namespace's value, created from `init` the first time */
  namespace<T>(name: string, init: () => T): T {
    const ns = this.#data().namespaces;
    if (!(name in ns)) {
      ns[name] = init();
      this.markDirty();
    }
    return ns[name] as T;
  }

  /** say that something in the document changed; it will be written within flushIntervalMs */
  markDirty(): void {
    this.#dirty = true;
    if (this.#timer || !this.#db) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((err: unknown) => this.#options.logger.error({ err, path: this.path }, 'store flush failed'));
    }, this.#options.flushIntervalMs);
  }

  /**
   * For rare changes that others rely on surviving a crash (an agent's registration): written on the next turn of the
   * event loop instead of within flushIntervalMs. Several calls in one turn share one write.
   */
  markUrgent(): void {
    this.#dirty = true;
    if (this.#soon || !this.#db) return;
    this.#soon = setImmediate(() => {
      this.#soon = undefined;
      this.flush().catch((err: unknown) => this.#options.logger.error({ err, path: this.path }, 'store flush failed'));
    });
  }

  /** writes now if dirty; concurrent calls share one write, and changes made during a write get another */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => undefined);
    if (!this.#dirty || !this.#db) return;
    this.#dirty = false;
    const started = performance.now();
    this.#flushing = this.#db.write().finally(() => {
      this.#flushing = undefined;
    });
    try {
      await this.#flushing;
    } catch (err) {
      this.#dirty = true; // keep the change for the next attempt
      throw err;
    }
    this.#flushes++;
    this.#lastFlushMs = performance.now() - started;
  }

  get stats(): StoreStats {
    return { flushes: this.#flushes, lastFlushMs: this.#lastFlushMs, dirty: this.#dirty };
  }

  async stop(): Promise<void> {
    if (!this.#starting) return;
    await this.#starting.catch(() => undefined);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearImmediate(this.#soon);
    this.#soon = undefined;
    if (this.#db) await this.flush();
    this.#db = undefined;
    this.#starting = undefined;
  }
}

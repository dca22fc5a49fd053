// The scrape endpoint: one node:http server answering GET (and HEAD) on one path with the page `render` builds.
// Bounded: responses being written at once (a scraper that stops reading holds one slot, not the process's memory),
// page size (checked while it is built), connections, and how long a request may take to arrive.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { CONTENT_TYPE, ResponseTooLargeError } from './exposition.js';

export interface MetricsServerOptions {
  host: string;
  port: number;
  path: string;
  scrapesInFlightMax: number;
  /** builds the page; throws ResponseTooLargeError past the size bound */
  render: () => string;
  logger: Logger;
}

export interface ScrapeStats {
  scrapes: number;
  refusedBusy: number;
  refusedTooLarge: number;
  failed: number;
  lastResponseBytes: number;
}

/** headers and body of a request must arrive within this, ms (a slow client does not hold a slot forever) */
const REQUEST_TIMEOUT_MS = 10000;
/** idle keep-alive connections per in-flight slot; Prometheus keeps one per target */
const CONNECTIONS_PER_SLOT = 4;

export class MetricsServer {
  readonly #o: MetricsServerOptions;
  #server: Server | undefined;
  #inFlight = 0;
  #port: number | null = null;
  readonly stats: ScrapeStats = { scrapes: 0, refusedBusy: 0, refusedTooLarge: 0, failed: 0, lastResponseBytes: 0 };

  constructor(options: MetricsServerOptions) {
    this.#o = options;
  }

  /** the bound port; null before listen() */
  get port(): number | null {
    return this.#port;
  }

  async listen(): Promise<void> {
    if (this.#server) return;
    const server = createServer(
      { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, maxHeaderSize: 8192 },
      (req, res) => this.#handle(req, res),
    );
    server.maxConnections = this.#o.scrapesInFlightMax * CONNECTIONS_PER_SLOT;
    const { host, port } = this.#o;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(new Error(`metrics: cannot listen on ${host}:${port}: ${err.message}`));
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    // later errors would be an unhandled 'error' event (a crash); per-connection ones go to clientError in node:http
    server.on('error', (err) => this.#o.logger.warn({ err }, 'metrics: server error'));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#port = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // keep-alive sockets of scrapers would otherwise hold close() until they time out
    server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.#refusal(req, res);
    if (refusal) {
      plain(res, refusal.status, refusal.text);
      return;
    }
    let body: string;
    try {
      body = this.#o.render();
    } catch (err) {
      if (err instanceof ResponseTooLargeError) this.stats.refusedTooLarge++;
      else this.stats.failed++;
      this.#o.logger.error({ err }, 'metrics: cannot render the page');
      plain(res, 500, `${(err as Error).message}\n`);
      return;
    }
    this.#inFlight++;
    res.once('close', () => this.#inFlight--);
    const bytes = Buffer.from(body, 'utf8');
    this.stats.scrapes++;
    this.stats.lastResponseBytes = bytes.length;
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': bytes.length, 'Cache-Control': 'no-store' });
    res.end(bytes);
  }

  /** why this request gets no page (wrong path, method, or every slot taken), or null */
  #refusal(req: IncomingMessage, res: ServerResponse): { status: number; text: string } | null {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== this.#o.path) return { status: 404, text: `not found; metrics are at ${this.#o.path}\n` };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return { status: 405, text: 'method not allowed; use GET\n' };
    }
    if (this.#inFlight >= this.#o.scrapesInFlightMax) {
      this.stats.refusedBusy++;
      res.setHeader('Retry-After', '1');
      return { status: 503, text: `busy: ${this.#inFlight} responses being written (metrics.scrapesInFlightMax)\n` };
    }
    return null;
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

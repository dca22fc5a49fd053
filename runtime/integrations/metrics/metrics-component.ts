// The Prometheus endpoint as a gateway component (metrics.enabled). Every number is computed when a scraper asks, from
// what the gateway already keeps (agent table, resource accounting, the components' health sections): no counters of
// its own on any hot path, and nothing runs between scrapes but Node's event-loop delay sampler.
import type { Component, GatewayContext } from '../../component.js';
import { writeAgentMetrics } from './agent-metrics.js';
import { Exposition } from './exposition.js';
import { writeHealthMetrics } from './health-metrics.js';
import { MetricsServer } from './metrics-server.js';
import { ProcessMetrics } from './process-metrics.js';

/** the health section this component adds: where it listens and its scrape counts */
const HEALTH_SECTION = 'metrics';

export class MetricsComponent implements Component {
  readonly name = 'metrics';
  readonly #ctx: GatewayContext;
  readonly #process = new ProcessMetrics();
  #server: MetricsServer | undefined;
  #offHealth: (() => void) | undefined;

  constructor(ctx: GatewayContext) {
    this.#ctx = ctx;
  }

  /** the bound port while running, else null */
  get port(): number | null {
    return this.#server?.port ?? null;
  }

  async start(): Promise<void> {
    const { config, logger, health } = this.#ctx;
    const c = config.metrics;
    if (!c.enabled || this.#server) return;
    const server = new MetricsServer({
      host: c.host,
      port: c.port,
      path: c.path,
      scrapesInFlightMax: c.scrapesInFlightMax,
      render: () => this.render(),
      logger,
    });
    // taken before the await, so a second start() meanwhile does not open a second server
    this.#server = server;
    try {
      await server.listen();
    } catch (err) {
      this.#server = undefined;
      throw err;
    }
    this.#process.start();
    const url = `http://${urlHost(c.host)}:${server.port}${c.path}`;
    this.#offHealth = health.add(HEALTH_SECTION, () => ({ url, port: server.port, ...server.stats }));
    logger.info({ url, port: server.port }, 'metrics: serving Prometheus text format');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#offHealth?.();
    this.#offHealth = undefined;
    this.#process.stop();
    await server.close();
  }

  /** the whole page; public for the benchmark */
  render(): string {
    const { config, registry, accounting, health } = this.#ctx;
    const out = new Exposition(config.metrics.responseBytesMax);
    out.metric('agentos_gateway_info', 'gauge', 'this gateway: id, broker mode, Node version', [
      [{ gateway: config.gateway.id, broker_mode: this.#ctx.bus.mode, node_version: process.version }, 1],
    ]);
    writeAgentMetrics(out, {
      agents: () => registry.list(),
      use: (id) => accounting.agent(id),
      tableMax: config.protocol.agentsMax,
      perAgentMax: config.metrics.agentsMax,
    });
    writeHealthMetrics(out, health.report());
    this.#process.write(out);
    this.#writeSelf(out);
    return out.text();
  }

  #writeSelf(out: Exposition): void {
    const s = this.#server?.stats;
    if (!s) return;
    out.counter('agentos_metrics_scrapes_total', 'pages served before this one', s.scrapes);
    out.metric('agentos_metrics_scrapes_refused_total', 'counter', 'scrapes refused, by reason', [
      [{ reason: 'busy' }, s.refusedBusy],
      [{ reason: 'too_large' }, s.refusedTooLarge],
      [{ reason: 'error' }, s.failed],
    ]);
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

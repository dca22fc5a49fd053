// The live dashboard: a static page served on the broker's MQTT-over-WebSocket port (http://gateway:8083/ by
// default), which logs into that same port as an operator and follows the gateway over MQTT (static/). The server
// side holds no session and no data: what a browser sees is what its MQTT identity may read. Off with
// dashboard.enabled: false, and off by itself with an external broker or without the WebSocket listener.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Component, GatewayContext } from '../../component.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

// scripts and styles from this origin only, MQTT over WebSocket back to it, never framed
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export class DashboardComponent implements Component {
  readonly name = 'dashboard';
  private off: (() => void) | undefined;
  private files: Map<string, StaticFile> | undefined;
  readonly stats = { served: 0, notFound: 0 };

  constructor(private readonly ctx: GatewayContext) {}

  async start(): Promise<void> {
    const { config, bus, logger, health } = this.ctx;
    if (!config.dashboard.enabled || this.off) return;
    const port = config.broker.wsPort ?? config.security.tls.wsPort;
    if (!bus.serveHttp || port === null) {
      logger.info('dashboard off: it is served on the embedded broker WebSocket listeners (broker.wsPort, tls.wsPort)');
      return;
    }
    this.files ??= loadStaticFiles();
    const offHttp = bus.serveHttp((req, res) => this.serve(req, res));
    const offHealth = health.add('dashboard', () => ({ port, ...this.stats }));
    this.off = () => {
      offHttp();
      offHealth();
    };
    logger.info(
      { port, tlsPort: config.security.tls.wsPort },
      'dashboard: on the MQTT WebSocket port, http://<gateway>:<port>/',
    );
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = undefined;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET only\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = this.files?.get(path);
    if (!file) {
      this.stats.notFound++;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    this.stats.served++;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.bytes,
      'cache-control': file.maxAgeS > 0 ? `public, max-age=${file.maxAgeS}` : 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path)
      .on('error', (err) => {
        this.ctx.logger.warn({ err: err.message, path: file.path }, 'dashboard file not readable');
        res.destroy(err);
      })
      .pipe(res);
  }
}

// MQTT over TLS and MQTT over secure WebSocket listeners for the embedded broker, from PEM files. With client
// certificates on, the site CA verifies them during the handshake ('require' refuses a client without one; 'request'
// lets it fall back to a password). Connection limits count raw sockets before the handshake, so a handshake flood
// is bounded too, and a handshake that does not finish in `handshakeTimeoutMs` is dropped.

import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import type { WebSocketServer } from 'ws';
import type { HttpHandler } from '../bus/bus.js';
import type { ClientCertMode } from '../config/sections/security.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** the site CA, needed to verify client certificates */
  ca: Buffer | null;
}

export interface TlsListenersOptions {
  host: string;
  /** null = off; 0 = any free port */
  port: number | null;
  wsPort: number | null;
  material: TlsMaterial;
  clientCerts: ClientCertMode;
  wsPayloadBytesMax: number;
  handshakeTimeoutMs?: number | undefined;
  /** counts a raw connection; false = refused (it destroys the socket) */
  admit(stream: Duplex, ip: string): boolean;
  /** limits on the decrypted stream before aedes reads it */
  guard(stream: Duplex, ip: string): void;
  /** the handler of plain HTTPS requests on the WebSocket port, when one is set (the dashboard) */
  http?: (() => HttpHandler | undefined) | undefined;
}

export class TlsListeners {
  private tls: TlsServer | undefined;
  private https: HttpsServer | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: TlsListenersOptions) {}

  async start(aedes: Aedes): Promise<void> {
    const o = this.opts;
    const secure = {
      cert: o.material.cert,
      key: o.material.key,
      ...(o.material.ca ? { ca: o.material.ca } : {}),
      requestCert: o.clientCerts !== 'off',
      rejectUnauthorized: o.clientCerts === 'require',
      minVersion: 'TLSv1.2' as const,
      handshakeTimeout: o.handshakeTimeoutMs ?? 10_000,
    };
    if (o.port !== null) {
      const server = createTlsServer(secure, (socket: TLSSocket) => {
        o.guard(socket, socket.remoteAddress ?? 'unknown');
        aedes.handle(socket);
      });
      this.track(server);
      this.tls = server;
      await listen(server, o.port, o.host);
    }
    if (o.wsPort !== null) {
      // loaded here: a gateway without a secure WebSocket listener does not carry the ws package
      const { createWebSocketStream, WebSocketServer } = await import('ws');
      const server = createHttpsServer(secure, (req, res) => {
        const serve = o.http?.();
        if (serve) serve(req, res);
        else res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over secure WebSocket only\n');
      });
      this.track(server);
      const wss = new WebSocketServer({ server, maxPayload: o.wsPayloadBytesMax });
      wss.on('connection', (ws, req) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => ws.terminate());
        o.guard(stream, req.socket.remoteAddress ?? 'unknown');
        aedes.handle(stream, req);
      });
      this.https = server;
      this.wss = wss;
      await listen(server, o.wsPort, o.host);
    }
  }

  /** raw sockets are counted (and maybe refused) before the TLS handshake spends any CPU on them */
  private track(server: TlsServer | HttpsServer): void {
    server.on('connection', (socket: Socket) => {
      if (!this.opts.admit(socket, socket.remoteAddress ?? 'unknown')) return;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', () => undefined); // bad handshakes are the client's problem; the socket is closed
  }

  urls(host: string): { mqtts: string | null; wss: string | null } {
    const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const p = (s: TlsServer | HttpsServer | undefined) => (s?.address() as AddressInfo | null)?.port;
    const tp = p(this.tls);
    const wp = p(this.https);
    return { mqtts: tp ? `mqtts://${h}:${tp}` : null, wss: wp ? `wss://${h}:${wp}` : null };
  }

  async stop(): Promise<void> {
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    this.wss?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all([close(this.tls), close(this.https)]);
    this.tls = this.https = this.wss = undefined;
  }
}

function listen(server: TlsServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`security.tls: cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function close(server: TlsServer | HttpsServer | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

// A real aedes broker on a loopback port chosen at run time, with the security layer installed the way the gateway
// installs it, plus helpers for mqtt.js clients. Everything it starts is stopped by `close()`.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { AclEngine } from '../../runtime/security/acl-engine.js';
import { BrokerSecurity } from '../../runtime/security/broker-security.js';
import { CredentialStore } from '../../runtime/security/credential-store.js';
import { Denials } from '../../runtime/security/denials.js';
import { FloodGuard, type FloodLimits } from '../../runtime/security/flood-guard.js';

export const ROOT = 'agentos/v1';

export interface Harness {
  dataDir: string;
  url: string;
  port: number;
  store: CredentialStore;
  acl: AclEngine;
  denials: Denials;
  flood: FloodGuard;
  security: BrokerSecurity;
  broker: Aedes;
  logs: { msg: string; obj: object }[];
  connect(opts?: IClientOptions): Promise<MqttClient>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  devMode?: boolean;
  flood?: Partial<FloodLimits>;
  payloadBytesMax?: number;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'agentos-sec-'));
  const logs: { msg: string; obj: object }[] = [];
  const logger = {
    info: (obj: object, msg: string) => logs.push({ msg, obj }),
    warn: (obj: object, msg: string) => logs.push({ msg, obj }),
    error: (obj: object, msg: string) => logs.push({ msg, obj }),
  };
  const store = new CredentialStore({ dataDir, watch: true });
  await store.start();
  const denials = new Denials({ logger, logsPerWindowMax: 1000 });
  const acl = new AclEngine({ store, root: ROOT, devMode: o.devMode, denials, payloadBytesMax: o.payloadBytesMax });
  const flood = new FloodGuard(o.flood);
  const security = new BrokerSecurity({ access: acl, denials, flood, store, logger });
  const broker = await Aedes.createBroker();
  security.install(broker);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (security.accept(socket, socket.remoteAddress ?? 'unknown')) broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = `mqtt://127.0.0.1:${port}`;
  const clients = new Set<MqttClient>();
  return {
    dataDir,
    url,
    port,
    store,
    acl,
    denials,
    flood,
    security,
    broker,
    logs,
    connect: async (opts = {}) => {
      const c = await connectClient(url, opts);
      clients.add(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.end(true);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await security.stop();
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Connects without retrying; rejects with the CONNACK code (or the socket error) when refused. */
export function connectClient(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 4, ...opts });
    const fail = (err: Error & { code?: number | string }) => {
      c.end(true);
      reject(Object.assign(new Error(`connect refused: ${err.message}`), { code: err.code }));
    };
    c.once('error', fail);
    c.once('close', () => fail(new Error('closed before connack')));
    c.once('connect', () => {
      c.removeAllListeners('error');
      c.removeAllListeners('close');
      c.on('error', () => undefined); // errors after connect show up as 'close' in the tests
      resolve(c);
    });
  });
}

/** The CONNACK code of a refused connection, or 0 if it was accepted (and then closed). */
export async function connackCode(url: string, opts: IClientOptions): Promise<number | string> {
  try {
    const c = await connectClient(url, opts);
    c.end(true);
    return 0;
  } catch (err) {
    return (err as { code?: number | string }).code ?? 'no code';
  }
}

/** Subscribes and returns the granted QoS per filter (128 = refused). */
export async function subscribeGranted(c: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await c.subscribeAsync(filter, { qos: 1 });
    return granted[0]?.qos ?? -1;
  } catch (err) {
    // mqtt.js rejects a SUBACK carrying 0x80; the code is on the packet
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted?.[0] !== undefined) return granted[0];
    throw err;
  }
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves when the server closes the client's connection; the client is then ended (mqtt.js keeps timers). */
export function closed(c: MqttClient): Promise<void> {
  const done = () => {
    c.end(true);
  };
  if (c.disconnected || !c.connected) return Promise.resolve().then(done);
  return new Promise<void>((resolve) => c.once('close', () => resolve())).then(done);
}

/** Collects messages arriving at a client. */
export function collect(c: MqttClient): { topic: string; payload: Buffer }[] {
  const got: { topic: string; payload: Buffer }[] = [];
  c.on('message', (topic, payload) => got.push({ topic, payload }));
  return got;
}

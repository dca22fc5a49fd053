// npm run bench -- security [--devices N] [--messages N]
// What the security layer costs and what it buys, measured in one run:
// - auth: scrypt verify (first connect) and cached verify (reconnect), ms
// - acl: publish and subscribe checks per second
// - cluster: HMAC seal+open per second
// - broker: QoS 0 telemetry from raw TCP devices through aedes, bare vs with the security hooks (ACL, rate buckets,
//   frame guard), messages/s delivered, and the ratio
// - flood: a well-behaved client's QoS 1 round trip p50/p99 while another client floods, vs without the flood
// Prints one JSON object as the last line.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { AclEngine } from '../runtime/security/acl-engine.js';
import { BrokerSecurity } from '../runtime/security/broker-security.js';
import { ClusterAuth } from '../runtime/security/cluster-auth.js';
import { CredentialStore } from '../runtime/security/credential-store.js';
import { Denials, silentLogger } from '../runtime/security/denials.js';
import { FloodGuard } from '../runtime/security/flood-guard.js';
import { connectPacket, publishPacket } from '../tests/security/raw-mqtt.js';

const { values } = parseArgs({ options: { devices: { type: 'string' }, messages: { type: 'string' } } });
const DEVICES = Number(values.devices ?? 20);
const MESSAGES = Number(values.messages ?? 20_000); // per device
const R = 'agentos/v1';

const dataDir = await mkdtemp(join(tmpdir(), 'agentos-bench-sec-'));
const store = new CredentialStore({ dataDir });
await store.start();
const secrets = new Map<string, string>();
for (let i = 0; i < DEVICES; i++) secrets.set(`dev-${i}`, (await store.add({ id: `dev-${i}`, kind: 'agent' })).secret);
secrets.set('calm', (await store.add({ id: 'calm', kind: 'agent' })).secret);
secrets.set('noisy', (await store.add({ id: 'noisy', kind: 'agent' })).secret);

function ms(fromNs: bigint): number {
  return Number(process.hrtime.bigint() - fromNs) / 1e6;
}

async function authNumbers() {
  const fresh = new CredentialStore({ dataDir });
  await fresh.start();
  const secret = Buffer.from(secrets.get('dev-0')!);
  let t = process.hrtime.bigint();
  await fresh.verify('dev-0', secret);
  const first = ms(t);
  t = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) await fresh.verify('dev-0', secret);
  const cached = ms(t) / 1000;
  t = process.hrtime.bigint();
  for (let i = 0; i < 5; i++) await fresh.verify('dev-0', Buffer.from('wrong'));
  const failed = ms(t) / 5;
  return { auth_scrypt_ms: round(first), auth_cached_ms: round(cached, 4), auth_failed_ms: round(failed) };
}

function aclNumbers() {
  const acl = new AclEngine({ store, root: R });
  const p = { id: 'dev-1', role: 'agent' as const };
  const n = 200_000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) acl.authorizePublish(p, `${R}/agents/dev-1/telemetry`, 60);
  const pub = n / (ms(t) / 1000);
  t = process.hrtime.bigint();
  for (let i = 0; i < n / 4; i++) acl.authorizeSubscribe(p, `${R}/agents/+/cmd`);
  const sub = n / 4 / (ms(t) / 1000);
  return { acl_publish_checks_per_s: Math.round(pub), acl_subscribe_checks_per_s: Math.round(sub) };
}

function clusterNumbers() {
  const key = Buffer.alloc(32, 7);
  const a = new ClusterAuth({ clusterId: 'c', nodeId: 'a', siteKey: key });
  const b = new ClusterAuth({ clusterId: 'c', nodeId: 'b', siteKey: key });
  const body = Buffer.alloc(200, 1);
  const n = 20_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (!b.open(a.seal({ to: 'b', term: 1, body })).ok) throw new Error('open failed');
  return { cluster_seal_open_per_s: Math.round(n / (ms(t) / 1000)) };
}

interface Broker {
  aedes: Aedes;
  server: Server;
  port: number;
  close(): Promise<void>;
}

async function startBroker(secure: boolean, limits: ConstructorParameters<typeof FloodGuard>[0] = {}): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const denials = new Denials({ logger: silentLogger });
  const security = secure
    ? new BrokerSecurity({ access: new AclEngine({ store, root: R, denials }), denials, flood: new FloodGuard(limits) })
    : null;
  security?.install(aedes);
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    s.setNoDelay(true); // Nagle plus delayed ACK would add ~40 ms per round trip
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    if (!security || security.accept(s, s.remoteAddress ?? '')) aedes.handle(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    aedes,
    server,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await security?.stop();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

function rawDevice(port: number, id: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('data', (d) => (d[0] === 0x20 && d[3] === 0 ? resolve(s) : reject(new Error(`refused ${id}`))));
    s.write(connectPacket(id, id, secrets.get(id)));
  });
}

async function throughput(secure: boolean): Promise<number> {
  // rate limits far above the offered load: this measures the cost of the checks, not throttling
  const b = await startBroker(secure, { messagesPerS: 1e6, burstMessages: 1e7 });
  const devices = await Promise.all(Array.from({ length: DEVICES }, (_, i) => rawDevice(b.port, `dev-${i}`)));
  const total = DEVICES * MESSAGES;
  let got = 0;
  const done = new Promise<void>((resolve) => {
    b.aedes.subscribe(
      `${R}/agents/+/telemetry`,
      (_p, cb) => {
        if (++got === total) resolve();
        cb();
      },
      () => undefined,
    );
  });
  const t = process.hrtime.bigint();
  await Promise.all(
    devices.map(async (s, i) => {
      const chunk = Buffer.concat(
        Array.from({ length: 500 }, () =>
          publishPacket(`${R}/agents/dev-${i}/telemetry`, Buffer.from('{"values":{"t":21.5}}')),
        ),
      );
      for (let sent = 0; sent < MESSAGES; sent += 500) {
        if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
      }
    }),
  );
  await done;
  const rate = total / (ms(t) / 1000);
  for (const s of devices) s.destroy();
  await b.close();
  return Math.round(rate);
}

async function rttUnderFlood(flood: boolean): Promise<{ p50: number; p99: number }> {
  const b = await startBroker(true, { messagesPerS: 500, burstMessages: 1000, throttleMsMax: 2000 });
  const url = `mqtt://127.0.0.1:${b.port}`;
  const calm = await mqtt.connectAsync(url, { clientId: 'calm', username: 'calm', password: secrets.get('calm')! });
  (calm.stream as Socket).setNoDelay?.(true);
  const topic = `${R}/agents/calm/telemetry`;
  await calm.subscribeAsync(`${R}/agents/calm/#`, { qos: 1 });
  let noisy: Socket | undefined;
  if (flood) {
    noisy = await rawDevice(b.port, 'noisy');
    const chunk = Buffer.concat(
      Array.from({ length: 500 }, () => publishPacket(`${R}/agents/noisy/telemetry`, Buffer.alloc(100))),
    );
    const blast = () => {
      if (noisy && !noisy.destroyed) noisy.write(chunk, () => setImmediate(blast));
    };
    noisy.on('error', () => undefined);
    blast();
  }
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = process.hrtime.bigint();
    const back = new Promise<void>((r) => calm.once('message', () => r()));
    await calm.publishAsync(topic, String(i), { qos: 1 });
    await back;
    samples.push(ms(t));
  }
  noisy?.destroy();
  await calm.endAsync(true);
  await b.close();
  samples.sort((x, y) => x - y);
  return { p50: round(samples[100]!), p99: round(samples[197]!) };
}

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}

const auth = await authNumbers();
const acl = aclNumbers();
const cluster = clusterNumbers();
const bare = await throughput(false);
const secured = await throughput(true);
const quiet = await rttUnderFlood(false);
const flooded = await rttUnderFlood(true);
await store.stop();
await rm(dataDir, { recursive: true, force: true });
const result = {
  ...auth,
  ...acl,
  ...cluster,
  devices: DEVICES,
  messages_per_device: MESSAGES,
  bare_aedes_msgs_per_s: bare,
  secure_broker_msgs_per_s: secured,
  ratio_secure_vs_bare: round(secured / bare, 3),
  calm_rtt_p50_ms: quiet.p50,
  calm_rtt_p99_ms: quiet.p99,
  calm_rtt_p50_ms_under_flood: flooded.p50,
  calm_rtt_p99_ms_under_flood: flooded.p99,
};
console.log(JSON.stringify(result));

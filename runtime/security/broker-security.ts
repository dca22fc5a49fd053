// Plugs the access layer (BrokerAccess), the flood limits and live revocation into an aedes broker. The gateway's
// listeners call `accept(stream, ip)` for each new connection before `broker.handle(stream)`; `install(broker)` sets
// aedes' hooks. A principal is attached to each client at CONNECT; when the credential store reports an identity
// rotated, revoked or changed, every session of it is closed, so the next CONNECT is checked against the new state.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { BrokerAccess, Principal } from '../bus/access.js';
import type { CredentialChange, CredentialStore } from './credential-store.js';
import { type Denials, type SecurityLogger, silentLogger } from './denials.js';
import type { FloodGuard } from './flood-guard.js';
import { guardFrames } from './frame-guard.js';

/** BrokerAccess plus, optionally, authentication by a client certificate the TLS layer already verified. */
export interface CertificateAccess extends BrokerAccess {
  authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    opts?: { expensive?: boolean | undefined },
  ): Promise<Principal | null>;
  authenticateCertificate?(clientId: string, commonName: string): Promise<Principal | null>;
}

export interface BrokerSecurityOptions {
  access: CertificateAccess;
  denials: Denials;
  flood: FloodGuard;
  store?: CredentialStore | undefined;
  logger?: SecurityLogger | undefined;
}

// CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2.3]
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function remoteAddress(client: Client): string {
  const conn = client.conn as Partial<Socket>;
  return conn.remoteAddress ?? client.req?.socket.remoteAddress ?? 'unknown';
}

/** The CN of a client certificate the site CA verified during the handshake (TLS or secure WebSocket), or null. */
function verifiedCertificateName(client: Client): string | null {
  const sock = ((client.conn as Partial<TLSSocket>).getPeerCertificate ? client.conn : client.req?.socket) as
    | Partial<TLSSocket>
    | undefined;
  if (!sock?.getPeerCertificate || sock.authorized !== true) return null;
  const cn = sock.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : null;
}

function authError(message: string, code: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

export class BrokerSecurity {
  private readonly opts: BrokerSecurityOptions;
  private readonly logger: SecurityLogger;
  private readonly principals = new WeakMap<Client, Principal>();
  private readonly sessions = new Map<string, Set<Client>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onChange = (c: CredentialChange) => this.closeSessionsOf(c);
  /** clients cut off for flooding keep their token bucket, so reconnecting gives no fresh burst */
  private readonly kicked = new WeakSet<Client>();
  private readonly keys = new WeakMap<Principal, string>();

  constructor(opts: BrokerSecurityOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? silentLogger;
  }

  /** Call for each new connection before handing it to aedes; false means it was refused and destroyed. */
  accept(stream: Duplex, ip: string): boolean {
    if (!this.admit(stream, ip)) return false;
    this.guardStream(stream, ip);
    return true;
  }

  /** Counts a connection against the limits (released when the stream closes); false: refused and destroyed. */
  admit(stream: Duplex, ip: string): boolean {
    const { flood, denials } = this.opts;
    if (!flood.admit(ip)) {
      denials.record('flood', `ip:${ip}`, 'too-many-connections');
      stream.destroy();
      return false;
    }
    let released = false;
    stream.once('close', () => {
      if (released) return;
      released = true;
      flood.release(ip);
    });
    return true;
  }

  /** Caps packet sizes on the stream aedes will read (for TLS: the decrypted one). */
  guardStream(stream: Duplex, ip: string): void {
    guardFrames(stream, this.opts.flood.limits.packetBytesMax, (reason) => {
      this.opts.flood.stats.oversized++;
      this.opts.denials.record('flood', `ip:${ip}`, 'packet-too-large', { detail: reason });
    });
  }

  install(broker: Aedes): void {
    broker.authenticate = (client, username, password, done) => {
      this.authenticate(client, username, password).then(
        (err) => done(err, err === null),
        () => done(authError('authentication failed', NOT_AUTHORIZED), false),
      );
    };
    broker.authorizePublish = (client, packet, done) => this.authorizePublish(client, packet, done);
    broker.authorizeSubscribe = (client, sub, done) => this.authorizeSubscribe(client, sub, done);
    broker.authorizeForward = (client, packet) => {
      // a subscriber that does not read its socket would otherwise make the broker buffer without bound
      const queued = (client.conn as { writableLength?: number }).writableLength ?? 0;
      if (this.opts.flood.slowConsumer(queued)) {
        this.opts.denials.record('flood', this.who(client), 'slow-consumer', { queuedBytes: queued });
        client.close();
        return null;
      }
      return packet;
    };
    this.opts.store?.on('change', this.onChange);
  }

  /** Removes listeners and timers; the broker keeps the hooks (it is closing anyway). */
  async stop(): Promise<void> {
    this.opts.store?.removeListener('change', this.onChange);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  principalOf(client: Client): Principal | undefined {
    return this.principals.get(client);
  }

  /** Number of live sessions of an identity. */
  sessionCount(id: string): number {
    return this.sessions.get(id)?.size ?? 0;
  }

  private async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<AuthenticateError | null> {
    const anonymous = username === undefined && password === undefined;
    const cn = anonymous ? verifiedCertificateName(client) : null;
    const { access, flood } = this.opts;
    const ip = remoteAddress(client);
    const principal =
      cn !== null && access.authenticateCertificate
        ? await access.authenticateCertificate(client.id, cn)
        : await access.authenticate(client.id, username, password, { expensive: flood.authExpensiveAllowed(ip) });
    if (!principal && !anonymous) flood.authFailed(ip);
    if (!principal) return authError('not authorized', anonymous ? NOT_AUTHORIZED : BAD_USERNAME_OR_PASSWORD);
    this.principals.set(client, principal);
    // the socket closing is the one event every path out of a session goes through
    client.conn.once('close', () => this.forgetClient(client));
    if (principal.role !== 'anonymous') {
      let set = this.sessions.get(principal.id);
      if (!set) {
        set = new Set();
        this.sessions.set(principal.id, set);
      }
      set.add(client);
    }
    return null;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    // client null: a will persisted by an earlier broker run, checked when it was set
    const err = client === null ? null : this.checkPublish(client, packet, done);
    if (err !== undefined) done(err);
  }

  /** Returns the verdict now, or undefined when `done` will be called later (the client is being throttled). */
  private checkPublish(
    client: Client,
    packet: PublishPacket,
    done: (err?: Error | null) => void,
  ): Error | null | undefined {
    const principal = this.principals.get(client);
    if (!principal) return new Error('not authenticated');
    const bytes = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
    const decide = () =>
      this.opts.access.authorizePublish(principal, packet.topic, bytes) ? null : new Error('publish not authorized');
    // the last will is published once, on the client's behalf: no rate accounting
    if (packet === (client as unknown as { will: unknown }).will) return decide();
    const verdict = this.opts.flood.onPublish(this.bucketKey(principal));
    if (verdict.kind === 'pass') return decide();
    if (verdict.kind === 'disconnect') {
      this.opts.denials.record('flood', this.who(client), 'rate', { detail: verdict.reason });
      this.kicked.add(client);
      return new Error(verdict.reason);
    }
    // hold this packet back; aedes reads no further packets from the socket until the batch is done
    const t = setTimeout(() => {
      this.timers.delete(t);
      done(client.closed ? new Error('client closed') : decide());
    }, verdict.delayMs);
    this.timers.add(t);
    return undefined;
  }

  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (err: Error | null, sub?: Subscription | null) => void,
  ): void {
    const principal = this.principals.get(client);
    if (!principal) done(new Error('not authenticated'));
    // a refused filter gets SUBACK 0x80 [MQTT-3.9.3] and the session stays up
    else done(null, this.opts.access.authorizeSubscribe(principal, sub.topic) ? sub : null);
  }

  private closeSessionsOf(c: CredentialChange): void {
    if (c.action === 'added') return;
    const set = this.sessions.get(c.id);
    if (!set || set.size === 0) return;
    this.logger.warn(
      { id: c.id, action: c.action, sessions: set.size },
      'security: closing sessions of changed identity',
    );
    for (const client of [...set]) client.close();
    this.sessions.delete(c.id);
  }

  private forgetClient(client: Client): void {
    const p = this.principals.get(client);
    if (!p) return;
    if (!this.kicked.has(client)) this.opts.flood.forget(this.bucketKey(p));
    const set = this.sessions.get(p.id);
    set?.delete(client);
    if (set && set.size === 0) this.sessions.delete(p.id);
  }

  /** one token bucket per identity; the key string is built once per session's Principal object */
  private bucketKey(p: Principal): string {
    let k = this.keys.get(p);
    if (k === undefined) {
      k = `${p.role}:${p.id}`;
      this.keys.set(p, k);
    }
    return k;
  }

  private who(client: Client): string {
    const p = this.principals.get(client);
    return p ? `${p.role}:${p.id}` : `client:${client.id}`;
  }
}

// The gateway's security layer built from config: the ACL engine (BrokerAccess) and its guard (BrokerGuard), which
// owns the credential store, flood limits, broker hooks and TLS listeners. The constructor does no I/O; the embedded
// broker starts and stops the guard with itself.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Aedes } from 'aedes';
import type { BrokerGuard, GuardedBrokerAccess } from '../bus/access.js';
import type { HttpHandler } from '../bus/bus.js';
import { ROOT } from '../bus/topics.js';
import type { Config } from '../config/schema.js';
import { AclEngine } from './acl-engine.js';
import { AgentTokens } from './agent-tokens.js';
import { BrokerSecurity } from './broker-security.js';
import { CredentialStore } from './credential-store.js';
import { Denials, type SecurityLogger } from './denials.js';
import { FloodGuard } from './flood-guard.js';
import { TlsListeners, type TlsMaterial } from './tls-listeners.js';

export function certsDirOf(config: Config): string {
  return resolve(config.security.certsDir ?? join(config.store.dataDir, 'certs'));
}

export function siteKeyFileOf(config: Config): string {
  return resolve(config.security.siteKeyFile ?? join(config.store.dataDir, 'security', 'site.key'));
}

export class SecureAccess extends AclEngine implements GuardedBrokerAccess {
  readonly guard: SecurityGuard;
  readonly credentials: CredentialStore;
  readonly flood: FloodGuard;

  constructor(config: Config, logger: SecurityLogger) {
    const store = new CredentialStore({ dataDir: resolve(config.store.dataDir), watch: true });
    const denials = new Denials({ logger });
    const tokens = new AgentTokens();
    const s = config.security;
    super({
      store,
      root: ROOT,
      haDiscoveryPrefix: config.homeAssistant.discoveryPrefix,
      devMode: s.devMode,
      payloadBytesMax: s.limits.payloadBytesMax,
      grants: s.grants,
      logger,
      denials,
      tokens,
    });
    this.credentials = store;
    this.flood = new FloodGuard(s.limits);
    const security = new BrokerSecurity({ access: this, denials, flood: this.flood, store, logger });
    this.guard = new SecurityGuard(config, store, security, logger);
  }
}

/** Environment for a supervised agent: its MQTT user name and token (sdk/env.ts reads them). */
export function agentEnvFor(access: unknown): ((name: string) => Record<string, string>) | undefined {
  if (!(access instanceof SecureAccess)) return undefined;
  return (name) => ({ AGENTOS_USERNAME: name, AGENTOS_PASSWORD: access.tokens!.tokenFor(name) });
}

export class SecurityGuard implements BrokerGuard {
  readonly wsPayloadBytesMax: number;
  private listeners: TlsListeners | undefined;

  constructor(
    private readonly config: Config,
    private readonly store: CredentialStore,
    readonly security: BrokerSecurity,
    private readonly logger: SecurityLogger,
  ) {
    this.wsPayloadBytesMax = config.security.limits.packetBytesMax;
  }

  accept(stream: Parameters<BrokerGuard['accept']>[0], ip: string): boolean {
    return this.security.accept(stream, ip);
  }

  async start(broker: Aedes, http?: () => HttpHandler | undefined): Promise<void> {
    try {
      await this.open(broker, http);
    } catch (err) {
      await this.stop(); // a failed start leaves no watcher or listener behind
      throw err;
    }
  }

  private async open(broker: Aedes, http: (() => HttpHandler | undefined) | undefined): Promise<void> {
    this.store.on('error', (err) => this.logger.error({ err: err.message }, 'security: credential file watch failed'));
    await this.store.start();
    this.security.install(broker);
    const tls = this.config.security.tls;
    if (tls.port !== null || tls.wsPort !== null) {
      this.listeners = new TlsListeners({
        host: tls.host ?? this.config.broker.host,
        port: tls.port,
        wsPort: tls.wsPort,
        material: await this.material(),
        clientCerts: tls.clientCerts,
        wsPayloadBytesMax: this.wsPayloadBytesMax,
        admit: (stream, ip) => this.security.admit(stream, ip),
        guard: (stream, ip) => this.security.guardStream(stream, ip),
        http,
      });
      await this.listeners.start(broker);
    }
    const s = this.config.security;
    this.logger.info(
      {
        identities: this.store.size,
        devMode: s.devMode,
        ...this.urls(),
        clientCerts: tls.clientCerts,
        messagesPerS: s.limits.messagesPerS,
      },
      'security: broker access control on',
    );
  }

  async stop(): Promise<void> {
    await this.listeners?.stop();
    this.listeners = undefined;
    await this.security.stop();
    await this.store.stop();
    this.store.removeAllListeners('error');
  }

  urls(): { mqtts: string | null; wss: string | null } {
    const host = this.config.security.tls.host ?? this.config.broker.host;
    return this.listeners?.urls(host) ?? { mqtts: null, wss: null };
  }

  /** Reads the PEM files; a missing one is an error naming its config field and the command that makes it. */
  private async material(): Promise<TlsMaterial> {
    const dir = certsDirOf(this.config);
    const tls = this.config.security.tls;
    const read = async (field: string, given: string | null, fallback: string, required: boolean) => {
      const path = resolve(given ?? join(dir, fallback));
      try {
        return await readFile(path);
      } catch (err) {
        if (!required) return null;
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new Error(`security.tls.${field}: cannot read ${path} (${code}); create it with \`agentos certs\``);
      }
    };
    const cert = await read('certFile', tls.certFile, 'server.crt', true);
    const key = await read('keyFile', tls.keyFile, 'server.key', true);
    const ca = await read('caFile', tls.caFile, 'ca.crt', tls.clientCerts !== 'off');
    return { cert: cert!, key: key!, ca };
  }
}

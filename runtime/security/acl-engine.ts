// The broker's access control (BrokerAccess): who may connect, publish and subscribe. Authentication checks the
// credential store and binds the MQTT client id to the identity, so nobody can connect as, or take over the session
// of, an agent they are not. Authorization checks topic strings for oddities, then the role rules of acl-rules.ts.
import type { BrokerAccess, Principal } from '../bus/access.js';
import { type AclRules, bind, defaultRules } from './acl-rules.js';
import type { AgentTokens } from './agent-tokens.js';
import type { CredentialStore, VerifyOptions } from './credential-store.js';
import { Denials, type SecurityLogger, silentLogger } from './denials.js';
import { grantsProblem, principalOf } from './identity.js';
import { covers, matches, topicFilterProblem, topicNameProblem } from './topic-filter.js';

export interface AclEngineOptions {
  store: CredentialStore;
  /** the namespace root of runtime/bus/topics.ts (`agentos/v1`) */
  root: string;
  /** development mode: anonymous clients get in and may do anything with well-formed topics */
  devMode?: boolean | undefined;
  /** largest PUBLISH payload accepted, bytes */
  payloadBytesMax?: number | undefined;
  rules?: AclRules | undefined;
  /** Home Assistant's discovery prefix, for the homeassistant role's rules */
  haDiscoveryPrefix?: string | undefined;
  /** passwords of the agents the gateway's supervisor runs */
  tokens?: AgentTokens | undefined;
  /** extra subscribe filters by identity id, from config (security.grants) */
  grants?: Readonly<Record<string, readonly string[]>> | undefined;
  logger?: SecurityLogger | undefined;
  denials?: Denials | undefined;
}

interface CompiledRules {
  publishExact: Set<string>;
  publishPatterns: string[];
  subscribe: string[];
}

/** Client-id separator: operators and gateways may run several clients as `<id>:<anything>`. Agents use their id. */
const CLIENT_SUFFIX = ':';
const CLIENT_ID_BYTES_MAX = 128;

export class AclEngine implements BrokerAccess {
  readonly denials: Denials;
  readonly devMode: boolean;
  readonly payloadBytesMax: number;
  private readonly store: CredentialStore;
  private readonly rules: AclRules;
  private readonly configGrants: Readonly<Record<string, readonly string[]>>;
  readonly tokens: AgentTokens | undefined;
  /** rules bound to one principal id, rebuilt when grants change; bounded by the number of identities */
  private readonly bound = new WeakMap<Principal, CompiledRules>();

  constructor(opts: AclEngineOptions) {
    this.store = opts.store;
    this.devMode = opts.devMode ?? false;
    this.payloadBytesMax = opts.payloadBytesMax ?? 256 * 1024;
    this.rules = opts.rules ?? defaultRules({ root: opts.root, haDiscoveryPrefix: opts.haDiscoveryPrefix });
    this.configGrants = opts.grants ?? {};
    this.tokens = opts.tokens;
    for (const [id, filters] of Object.entries(this.configGrants)) {
      const p = grantsProblem(filters);
      if (p) throw new TypeError(`security.grants.${id}: ${p}`);
    }
    this.denials = opts.denials ?? new Denials({ logger: opts.logger ?? silentLogger });
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    opts: VerifyOptions = {},
  ): Promise<Principal | null> {
    const who = typeof username === 'string' ? username.slice(0, 64) : `client:${String(clientId).slice(0, 64)}`;
    if (typeof clientId !== 'string' || clientId.length === 0 || Buffer.byteLength(clientId) > CLIENT_ID_BYTES_MAX) {
      return this.refuse(who, 'bad-client-id', clientId);
    }
    if (username === undefined && password === undefined) {
      if (this.devMode) return { id: clientId, role: 'anonymous' };
      return this.refuse(who, 'anonymous', clientId);
    }
    if (this.tokens?.verify(username, password)) {
      const p: Principal = { id: username!, role: 'agent' };
      return clientIdFits(p, clientId) ? p : this.refuse(who, 'client-id-mismatch', clientId);
    }
    let principal: Principal | null = null;
    try {
      await this.store.start(); // idempotent; the broker may accept clients before the store finished loading
      principal = await this.store.verify(username, password, opts);
    } catch {
      principal = null; // a broken hash or store never lets anyone in
    }
    if (!principal) return this.refuse(who, opts.expensive === false ? 'auth-rate' : 'bad-credentials', clientId);
    if (!clientIdFits(principal, clientId)) return this.refuse(who, 'client-id-mismatch', clientId);
    return principal;
  }

  /**
   * A client that presented a certificate signed by the site CA (verified by TLS) and no password: its CN names the
   * identity, which must still exist in the store (revoking it locks the certificate out too).
   */
  async authenticateCertificate(clientId: string, commonName: string): Promise<Principal | null> {
    await this.store.start();
    const identity = this.store.get(commonName);
    if (!identity) return this.refuse(commonName.slice(0, 64), 'unknown-certificate', clientId);
    const principal = principalOf({ ...identity, hash: '' });
    if (!clientIdFits(principal, clientId)) return this.refuse(identity.id, 'client-id-mismatch', clientId);
    return principal;
  }

  authorizePublish(principal: Principal, topic: string, payloadBytes: number): boolean {
    const problem = topicNameProblem(topic);
    if (problem) return this.deny('publish', principal, 'bad-topic', topic, problem);
    if (!(payloadBytes <= this.payloadBytesMax)) {
      return this.deny('publish', principal, 'payload-too-large', topic, `${payloadBytes} > ${this.payloadBytesMax}`);
    }
    if (principal.role === 'anonymous') return this.devMode || this.deny('publish', principal, 'anonymous', topic);
    const rules = this.rulesFor(principal);
    const allowed = rules.publishExact.has(topic) || rules.publishPatterns.some((f) => matches(f, topic));
    return allowed || this.deny('publish', principal, 'not-allowed', topic);
  }

  authorizeSubscribe(principal: Principal, topicFilter: string): boolean {
    const problem = topicFilterProblem(topicFilter);
    if (problem) return this.deny('subscribe', principal, 'bad-filter', topicFilter, problem);
    if (principal.role === 'anonymous')
      return this.devMode || this.deny('subscribe', principal, 'anonymous', topicFilter);
    const allowed = this.rulesFor(principal).subscribe.some((a) => covers(a, topicFilter));
    return allowed || this.deny('subscribe', principal, 'not-allowed', topicFilter);
  }

  /** Rules bound to one principal, compiled once per Principal object (a session keeps its object). */
  private rulesFor(p: Principal): CompiledRules {
    const cached = this.bound.get(p);
    if (cached) return cached;
    const role = this.rules[p.role];
    const publish = bind(role.publish, p.id);
    const compiled: CompiledRules = {
      // most publish rules are literal topics: one Set lookup instead of matching filter by filter
      publishExact: new Set(publish.filter((f) => !f.includes('+') && !f.includes('#'))),
      publishPatterns: publish.filter((f) => f.includes('+') || f.includes('#')),
      // grants widen reading only, never writing, and never into $-topics (checked when they were stored)
      subscribe: [...bind(role.subscribe, p.id), ...(p.grants ?? []), ...(this.configGrants[p.id] ?? [])],
    };
    this.bound.set(p, compiled);
    return compiled;
  }

  private refuse(who: string, reason: string, clientId: unknown): null {
    this.denials.record('connect', who, reason, { clientId: String(clientId).slice(0, CLIENT_ID_BYTES_MAX) });
    return null;
  }

  private deny(action: 'publish' | 'subscribe', p: Principal, reason: string, topic: string, detail?: string): false {
    const shown = typeof topic === 'string' ? JSON.stringify(topic.slice(0, 200)) : typeof topic;
    this.denials.record(action, `${p.role}:${p.id}`, reason, detail ? { topic: shown, detail } : { topic: shown });
    return false;
  }
}

/** Agents must use their id as client id: MQTT lets a new connection with the same client id take over a session. */
export function clientIdFits(p: Principal, clientId: string): boolean {
  if (clientId === p.id) return true;
  return p.role !== 'agent' && clientId.startsWith(p.id + CLIENT_SUFFIX);
}

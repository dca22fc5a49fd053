// What the cluster component needs from the config, resolved once at start: timing (profile plus explicit values),
// the founding voters, where every inbox lives, the credentials for peer brokers and the site key.
import type { Config } from '../config/schema.js';
import type { ClusterConfig } from '../config/sections/cluster.js';
import { siteKeyFileOf } from '../security/secure-access.js';
import { readSiteKey } from '../security/site-key.js';
import { type RaftTiming, raftProfile } from './host/profiles.js';

export interface ClusterSettings {
  readonly clusterId: string;
  readonly nodeId: string;
  readonly timing: RaftTiming;
  /** founding voters (sorted, this node included unless it joins later) */
  readonly bootstrapVoters: readonly string[];
  /** peer id -> broker URL from the config */
  readonly configPeers: Readonly<Record<string, string>>;
  readonly inboxUrl: string;
  /** this node's inbox as peers reach it (what `cluster.join` records for it) */
  readonly advertiseUrl: string;
  /** in shared mode every node's inbox is on this broker */
  readonly sharedUrl: string | null;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** null only in security dev mode without a key */
  readonly siteKey: Buffer | null;
}

export function clusterTiming(c: ClusterConfig): RaftTiming {
  const p = raftProfile(c.profile);
  const t: RaftTiming = {
    tickMs: c.tickMs ?? p.tickMs,
    heartbeatTicks: c.heartbeatTicks ?? p.heartbeatTicks,
    electionTicks: c.electionTicks ?? p.electionTicks,
  };
  if (t.heartbeatTicks >= t.electionTicks) {
    throw new TypeError(
      `cluster.heartbeatTicks (${t.heartbeatTicks}) must be below cluster.electionTicks (${t.electionTicks})`,
    );
  }
  return t;
}

/** `ownBrokerUrl` is the embedded broker's client URL (null in external-broker mode). */
export async function resolveClusterSettings(
  config: Config,
  ownBrokerUrl: string | null,
  warn: (msg: string) => void,
): Promise<ClusterSettings> {
  const c = config.cluster;
  const nodeId = c.nodeId ?? config.gateway.id;
  const configPeers: Record<string, string> = {};
  for (const [i, p] of c.peers.entries()) {
    if (configPeers[p.id] !== undefined) throw new TypeError(`cluster.peers[${i}].id: ${p.id} is listed twice`);
    configPeers[p.id] = p.url;
  }
  let sharedUrl: string | null = null;
  if (c.transport === 'shared') {
    sharedUrl = c.sharedBrokerUrl ?? config.broker.url;
    if (sharedUrl === null) throw new TypeError('cluster.sharedBrokerUrl: needed in shared mode without broker.url');
  }
  const advertiseUrl = c.advertiseUrl ?? sharedUrl ?? configPeers[nodeId] ?? ownBrokerUrl;
  if (advertiseUrl === null) {
    throw new TypeError('cluster.advertiseUrl: needed when the gateway uses an external broker in embedded mode');
  }
  const inboxUrl = sharedUrl ?? ownBrokerUrl ?? advertiseUrl;
  const bootstrapVoters = c.join ? [] : [...new Set([nodeId, ...Object.keys(configPeers)])].sort();
  if (!c.join && bootstrapVoters.length === 1 && c.peers.length > 0 && configPeers[nodeId] !== undefined) {
    warn('cluster.peers lists only this node: a one-node cluster');
  }
  return {
    clusterId: c.clusterId,
    nodeId,
    timing: clusterTiming(c),
    bootstrapVoters,
    configPeers,
    inboxUrl,
    advertiseUrl,
    sharedUrl,
    username: c.username ?? undefined,
    password: c.password ?? undefined,
    siteKey: await siteKeyOf(config, warn),
  };
}

async function siteKeyOf(config: Config, warn: (msg: string) => void): Promise<Buffer | null> {
  const file = config.cluster.siteKeyFile ?? siteKeyFileOf(config);
  try {
    return await readSiteKey(file);
  } catch (err) {
    const why = (err as Error).message;
    if (!config.security.devMode) {
      throw new Error(
        `cluster.siteKeyFile: a cluster needs the site key (${why}); create it with \`agentos certs\` and copy it to every gateway`,
      );
    }
    warn(`cluster messages are NOT authenticated (security.devMode, no site key: ${why})`);
    return null;
  }
}

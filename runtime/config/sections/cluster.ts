// The `cluster` section: this gateway as one node of a site's Raft group (runtime/cluster/cluster-component.ts).
import { defineSection, intSetting } from '../section.js';

export interface ClusterPeerConfig {
  /** the peer's node id (its gateway id unless it set cluster.nodeId) */
  id: string;
  /** the peer's broker, where its Raft inbox lives (mqtt://host:port) */
  url: string;
}

export interface ClusterConfig {
  /** run this gateway as a cluster node */
  enabled: boolean;
  /** the Raft group's name; messages of another cluster are dropped */
  clusterId: string;
  /** this node's id; null = gateway.id */
  nodeId: string | null;
  /** the founding members (this node may be listed too); ignored once the node has Raft state on disk */
  peers: ClusterPeerConfig[];
  /** start with no voters and wait to be added by `agentos cluster join` on a member */
  join: boolean;
  /** default: heartbeat 100 ms, election 1000-2000 ms; fast: heartbeat 30 ms, election 150-300 ms */
  profile: 'default' | 'fast';
  /** explicit timings over the profile; null = the profile's */
  tickMs: number | null;
  heartbeatTicks: number | null;
  electionTicks: number | null;
  /** embedded: each node's inbox on its own broker; shared: every node's inbox on one external broker */
  transport: 'embedded' | 'shared';
  /** the shared broker; null = broker.url (shared mode only) */
  sharedBrokerUrl: string | null;
  /** this node's inbox broker as peers reach it; null = mqtt://127.0.0.1:<embedded port> */
  advertiseUrl: string | null;
  /** identity presented to peer brokers (a gateway identity in their credential files); null = anonymous */
  username: string | null;
  password: string | null;
  /** site key (hex, 0600) for HMAC on cluster messages; null = security.siteKeyFile */
  siteKeyFile: string | null;
  /** a proposal or linearizable read waits this long */
  requestTimeoutMs: number;
  /** during an election, reads and writes wait this long for the next leader; null = requestTimeoutMs */
  leaderWaitMs: number | null;
  /** applied entries between snapshots (log compaction) */
  snapshotEvery: number;
  /** the leader reconciles membership, agent placement and assignments this often */
  reconcileIntervalMs: number;
}

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' };
const url = { type: 'string', pattern: '^(mqtts?|wss?)://.+', maxLength: 2048 };
const nullable = (schema: Record<string, unknown>, description: string) => ({
  anyOf: [schema, { type: 'null' }],
  default: null,
  description,
});
const int = intSetting;

export const clusterSection = defineSection<ClusterConfig>(
  'cluster',
  'Raft cluster of a site: peers, timing profile, transport and HMAC site key (runtime/cluster)',
  {
    properties: {
      enabled: { type: 'boolean', default: false, description: 'run this gateway as a cluster node' },
      clusterId: { ...id, default: 'site', description: 'name of the Raft group' },
      nodeId: nullable(id, 'this node id (null = gateway.id)'),
      peers: {
        type: 'array',
        maxItems: 15,
        default: [],
        description: 'founding members as {id, url of its broker}; this node may be listed',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'url'],
          properties: { id, url },
        },
      },
      join: { type: 'boolean', default: false, description: 'start without voters; wait for `agentos cluster join`' },
      profile: {
        enum: ['default', 'fast'],
        default: 'default',
        description: 'default: heartbeat 100 ms, election 1-2 s; fast: heartbeat 30 ms, election 150-300 ms',
      },
      tickMs: nullable({ type: 'integer', minimum: 1, maximum: 60000 }, 'Raft tick, ms (null = the profile)'),
      heartbeatTicks: nullable({ type: 'integer', minimum: 1, maximum: 1000 }, 'heartbeat, ticks (null = profile)'),
      electionTicks: nullable(
        { type: 'integer', minimum: 2, maximum: 10000 },
        'election timeout drawn from [T, 2T) ticks (null = profile)',
      ),
      transport: {
        enum: ['embedded', 'shared'],
        default: 'embedded',
        description: 'embedded: inbox on each node own broker; shared: all inboxes on one external broker',
      },
      sharedBrokerUrl: nullable(url, 'the shared broker (null = broker.url)'),
      advertiseUrl: nullable(url, 'this node inbox broker as peers reach it (null = mqtt://127.0.0.1:<port>)'),
      username: nullable({ type: 'string', minLength: 1, maxLength: 64 }, 'identity presented to peer brokers'),
      password: nullable({ type: 'string', minLength: 1, maxLength: 1024 }, 'its password'),
      siteKeyFile: nullable(
        { type: 'string', minLength: 1, maxLength: 4096 },
        'HMAC site key file (null = security.siteKeyFile); required unless security.devMode',
      ),
      requestTimeoutMs: int(100, 600000, 5000, 'a proposal or linearizable read waits this long, ms'),
      leaderWaitMs: nullable(
        { type: 'integer', minimum: 1, maximum: 600000 },
        'during an election, reads and writes wait this long for a leader, ms (null = requestTimeoutMs)',
      ),
      snapshotEvery: int(10, 10000000, 1000, 'applied entries between snapshots'),
      reconcileIntervalMs: int(10, 600000, 500, 'the leader reconciles members, agents and tasks this often, ms'),
    },
  },
);

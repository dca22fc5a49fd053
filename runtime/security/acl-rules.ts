// Who may publish and subscribe where, per role, as MQTT topic filters with an `{id}` placeholder for the principal's
// id. A publish is allowed when its topic matches one filter of the role's publish list; a subscription when one
// filter of the role's subscribe list (or of the principal's grants) covers every topic the requested filter can
// match. The default rules follow the namespace of runtime/bus/topics.ts (agentos/v1/...).
import type { PrincipalRole } from '../bus/access.js';
import { type AgentChannel, agentChannels } from '../bus/topics.js';

export interface RoleRules {
  publish: readonly string[];
  subscribe: readonly string[];
}

export type AclRules = Record<PrincipalRole, RoleRules>;

export interface DefaultRulesOptions {
  /** the namespace root, `agentos/v1` */
  root: string;
  /** API methods an agent may call (request topic <root>/api/<method>) */
  agentApiMethods?: readonly string[] | undefined;
  /** API methods a viewer may call; viewers never call methods that change state */
  viewerApiMethods?: readonly string[] | undefined;
  /** where cluster peers talk: runtime/cluster/transport's `<prefix>/cluster/<clusterId>/to/<nodeId>` inboxes */
  clusterPrefix?: string | undefined;
  /** Home Assistant's MQTT discovery prefix (config homeAssistant.discoveryPrefix) */
  haDiscoveryPrefix?: string | undefined;
}

/** Methods that only read. Keep in step with the gateway API of runtime/bus (docs/PROTOCOL.md). */
export const READ_ONLY_API_METHODS = [
  'health',
  'agents.list',
  'agents.get',
  'agents.ps',
  'tasks.get',
  'tasks.list',
  'jobs.get',
  'jobs.list',
  'resources.usage',
  'ota.status',
  'cluster.status',
  'model.status',
] as const;
export const AGENT_API_METHODS = [...READ_ONLY_API_METHODS, 'tasks.submit'] as const;

/**
 * Channels of runtime/bus/topics.ts an agent publishes itself. The others under its namespace (cmd, task/assign,
 * mailbox deliveries, storage and mailbox replies, error) come from the gateway and are only read by the agent, so it
 * cannot forge its own commands, task assignments or kernel replies. A channel added to topics.ts is denied to agents
 * until it is listed here or in GATEWAY_PUBLISHED (a test checks every channel is in one of the two).
 */
export const AGENT_PUBLISHED: readonly AgentChannel[] = [
  'hello',
  'heartbeat',
  'status',
  'telemetry',
  'state',
  'commandReply',
  'taskUpdate',
  'storageRequest',
  'mailboxSend',
  'mailboxAck',
];
export const GATEWAY_PUBLISHED: readonly AgentChannel[] = [
  'command',
  'taskAssign',
  'mailbox',
  'error',
  'storageReply',
  'mailboxSent',
];
export const AGENT_PUBLISHED_CHANNELS = AGENT_PUBLISHED.map((c) => agentChannels[c]);

/** the Raft MQTT transport's default topic prefix plus `/cluster` */
export const CLUSTER_PREFIX = 'agentos/cluster';

export function defaultRules(opts: DefaultRulesOptions): AclRules {
  const r = opts.root;
  const cluster = opts.clusterPrefix ?? CLUSTER_PREFIX;
  const ha = opts.haDiscoveryPrefix ?? 'homeassistant';
  // both request forms: any gateway, or one gateway by id
  const api = (methods: readonly string[]) => methods.flatMap((m) => [`${r}/api/${m}`, `${r}/gateways/+/api/${m}`]);
  const replies = [`${r}/replies/{id}`, `${r}/replies/{id}/#`, `${r}/replies/{id}:+`, `${r}/replies/{id}:+/#`];
  return {
    agent: {
      publish: [
        ...AGENT_PUBLISHED_CHANNELS.map((c) => `${r}/agents/{id}/${c}`),
        ...api(opts.agentApiMethods ?? AGENT_API_METHODS),
      ],
      subscribe: [`${r}/agents/{id}/#`, ...replies],
    },
    'operator-admin': { publish: ['#', '$SYS/#'], subscribe: ['#', '$SYS/#'] },
    'operator-viewer': {
      publish: api(opts.viewerApiMethods ?? READ_ONLY_API_METHODS),
      subscribe: [`${r}/#`],
    },
    // reads discovery, agents' values and statuses; writes only its controls' command topics and its birth message
    'operator-homeassistant': {
      publish: [`${r}/ha/+/set/+`, `${ha}/status`],
      subscribe: [`${ha}/#`, `${r}/ha/#`, `${r}/agents/+/status`, `${r}/gateways/+/status`],
    },
    gateway: {
      publish: [`${cluster}/#`, `${r}/gateways/{id}/#`],
      subscribe: [`${cluster}/#`, `${r}/gateways/+/status`],
    },
    // anonymous principals exist only in development mode, where the access layer lets everything through
    anonymous: { publish: [], subscribe: [] },
  };
}

/** Replaces `{id}` in every filter; ids are validated (no '/', '+', '#', '$') before they get here. */
export function bind(filters: readonly string[], id: string): string[] {
  return filters.map((f) => f.replaceAll('{id}', id));
}

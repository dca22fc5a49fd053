// The versioned topic namespace. Every topic the gateway or an agent uses is built and parsed here, never by string
// concatenation elsewhere, so a v2 namespace is one change. docs/PROTOCOL.md lists them (generated from this file's
// `topicCatalog` and the message schemas).

export const PROTOCOL_VERSION = 'v1';
export const ROOT = `agentos/${PROTOCOL_VERSION}`;

/** agent ids and gateway ids are one topic level: no '/', '+', '#', and no leading '$' */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const idRe = new RegExp(ID_PATTERN);

export function isValidId(id: string): boolean {
  return idRe.test(id);
}

/** channels under agentos/v1/agents/{agentId}/..., with who publishes them */
export const agentChannels = {
  hello: 'hello',
  heartbeat: 'heartbeat',
  status: 'status',
  telemetry: 'telemetry',
  state: 'state',
  command: 'cmd',
  commandReply: 'cmd/reply',
  taskAssign: 'task/assign',
  taskUpdate: 'task/update',
  mailbox: 'mailbox',
  error: 'error',
  // the agent kernel's services (runtime/kernel): storage and mailbox
  storageRequest: 'storage/req',
  storageReply: 'storage/reply',
  mailboxSend: 'mailbox/send',
  mailboxAck: 'mailbox/ack',
  mailboxSent: 'mailbox/sent',
} as const;

export type AgentChannel = keyof typeof agentChannels;

export const topics = {
  agent(agentId: string, channel: AgentChannel): string {
    return `${ROOT}/agents/${agentId}/${agentChannels[channel]}`;
  },
  /** filter matching one channel of every agent */
  anyAgent(channel: AgentChannel): string {
    return `${ROOT}/agents/+/${agentChannels[channel]}`;
  },
  /** request topic of a gateway API method, answered by any gateway on the broker */
  api(method: string): string {
    return `${ROOT}/api/${method}`;
  },
  /** request topic of a gateway API method addressed to one gateway */
  gatewayApi(gatewayId: string, method: string): string {
    return `${ROOT}/gateways/${gatewayId}/api/${method}`;
  },
  /** where API clients ask for their replies; the gateway only replies below this prefix */
  replyPrefix: `${ROOT}/replies/`,
  reply(clientId: string): string {
    return `${ROOT}/replies/${clientId}`;
  },
  /** retained status of a gateway (its last will says offline) */
  gatewayStatus(gatewayId: string): string {
    return `${ROOT}/gateways/${gatewayId}/status`;
  },
  /** retained state of a submitted task (runtime/scheduler) */
  taskState(taskId: string): string {
    return `${ROOT}/tasks/${taskId}/state`;
  },
  /** filter matching the state of every task */
  anyTaskState: `${ROOT}/tasks/+/state`,
  /** retained state of a submitted job (runtime/jobs) */
  jobState(jobId: string): string {
    return `${ROOT}/jobs/${jobId}/state`;
  },
  /** Home Assistant bridge (runtime/integrations/home-assistant): an agent's values as one retained JSON */
  haState(agentId: string): string {
    return `${ROOT}/ha/${agentId}/state`;
  },
  /** Home Assistant bridge: a control's command topic (payload ON/OFF, a number or PRESS) */
  haCommand(agentId: string, command: string): string {
    return `${ROOT}/ha/${agentId}/set/${command}`;
  },
  /** filter matching every Home Assistant command topic */
  anyHaCommand: `${ROOT}/ha/+/set/+`,
  /** errors about messages whose sender cannot be answered anywhere else */
  errors: `${ROOT}/errors`,
} as const;

export interface ParsedAgentTopic {
  agentId: string;
  channel: AgentChannel;
}

const channelByPath = new Map<string, AgentChannel>(
  Object.entries(agentChannels).map(([k, v]) => [v, k as AgentChannel]),
);
const agentPrefix = `${ROOT}/agents/`;

/** agentos/v1/agents/lamp-1/cmd/reply -> { agentId: 'lamp-1', channel: 'commandReply' }; null if not an agent topic */
export function parseAgentTopic(topic: string): ParsedAgentTopic | null {
  if (!topic.startsWith(agentPrefix)) return null;
  const rest = topic.slice(agentPrefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const agentId = rest.slice(0, slash);
  const channel = channelByPath.get(rest.slice(slash + 1));
  if (channel === undefined || !isValidId(agentId)) return null;
  return { agentId, channel };
}

/** agentos/v1/ha/lamp-1/set/relay.set -> { agentId: 'lamp-1', command: 'relay.set' }; null otherwise */
export function parseHaCommandTopic(topic: string): { agentId: string; command: string } | null {
  const m = /^agentos\/v1\/ha\/([^/]+)\/set\/([^/]+)$/.exec(topic);
  if (!m || !isValidId(m[1] as string)) return null;
  return { agentId: m[1] as string, command: m[2] as string };
}

/** the method name of an API request topic (either form), or null */
export function parseApiTopic(topic: string): { method: string; gatewayId: string | null } | null {
  const any = `${ROOT}/api/`;
  if (topic.startsWith(any)) return { method: topic.slice(any.length), gatewayId: null };
  const m = /^agentos\/v1\/gateways\/([^/]+)\/api\/(.+)$/.exec(topic);
  return m ? { method: m[2] as string, gatewayId: m[1] as string } : null;
}

/**
 * [MQTT-4.7.1-2] '#' matches its parent level and any number of child levels; [MQTT-4.7.1-3] '+' matches exactly
 * one level; [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'.
 */
export function levelsMatch(filter: readonly string[], topic: readonly string[]): boolean {
  const first = filter[0];
  if ((first === '#' || first === '+') && topic[0]?.startsWith('$')) return false;
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i];
    if (level === '#') return true;
    if (i >= topic.length) return false;
    if (level !== '+' && level !== topic[i]) return false;
  }
  return filter.length === topic.length;
}

/** string form of levelsMatch, for tests and callers outside the hot path */
export function topicMatches(filter: string, topic: string): boolean {
  return levelsMatch(filter.split('/'), topic.split('/'));
}

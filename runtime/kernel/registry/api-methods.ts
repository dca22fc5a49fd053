// The registry's gateway API methods: agents.list, agents.get, agent.command.
import type { ApiRouter } from '../../bus/api-router.js';
import { ApiError } from '../../bus/api-router.js';
import { capabilitySchema, idSchema } from '../../bus/schemas/common.js';
import type { AgentFilter } from './agent-record.js';
import type { CommandDispatcher } from './commands.js';
import type { AgentRegistry } from './registry.js';

/** agents per agents.list reply: a whole table of 10k agents would be megabytes in one MQTT message */
const LIST_LIMIT_DEFAULT = 1000;
const LIST_LIMIT_MAX = 10000;

const listParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { enum: ['device', 'robot', 'software'] },
    status: { enum: ['online', 'busy', 'offline', 'failed'] },
    capability: capabilitySchema,
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT },
  },
};

const getParams = {
  type: 'object',
  additionalProperties: false,
  required: ['agentId'],
  properties: { agentId: idSchema },
};

const commandParams = {
  type: 'object',
  additionalProperties: false,
  required: ['agentId', 'name'],
  properties: {
    agentId: idSchema,
    name: { type: 'string', minLength: 1, maxLength: 64 },
    params: { type: 'object', maxProperties: 256 },
    timeoutMs: { type: 'integer', minimum: 1 },
  },
};

export function registerAgentMethods(
  api: ApiRouter,
  registry: AgentRegistry,
  commands: CommandDispatcher,
): Array<() => void> {
  return [
    api.register<AgentFilter & { offset?: number; limit?: number }>('agents.list', {
      summary:
        'agents in the table, optionally filtered by kind, status or capability; result { agents, total } with ' +
        `at most limit (default ${LIST_LIMIT_DEFAULT}) agents from offset`,
      params: listParams,
      handler: ({ offset = 0, limit = LIST_LIMIT_DEFAULT, ...filter }) => {
        const all = registry.list(filter);
        return { agents: all.slice(offset, offset + limit), total: all.length };
      },
    }),
    api.register<{ agentId: string }>('agents.get', {
      summary: 'one agent by id; result { agent }',
      params: getParams,
      handler: ({ agentId }) => {
        const agent = registry.get(agentId);
        if (!agent) throw new ApiError('not_found', `agent ${agentId} is not registered`, 'params.agentId');
        return { agent };
      },
    }),
    api.register<{ agentId: string; name: string; params?: Record<string, unknown>; timeoutMs?: number }>(
      'agent.command',
      {
        summary: 'send a command to an agent and return its reply',
        params: commandParams,
        handler: (p) => commands.send(p),
      },
    ),
  ];
}

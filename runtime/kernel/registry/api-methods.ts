// The registry's gateway API methods: agents.list, agents.get, agent.command.
import type { ApiRouter } from '../../bus/api-router.js';
import { ApiError } from '../../bus/api-router.js';
import { capabilitySchema, idSchema } from '../../bus/schemas/common.js';
import type { AgentFilter } from './agent-record.js';
import type { CommandDispatcher } from './commands.js';
import type { AgentRegistry } from './registry.js';

const listParams = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { enum: ['device', 'robot', 'software'] },
    status: { enum: ['online', 'busy', 'offline', 'failed'] },
    capability: capabilitySchema,
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
    api.register<AgentFilter>('agents.list', {
      summary: 'agents in the table, optionally filtered by kind, status or capability',
      params: listParams,
      handler: (filter) => ({ agents: registry.list(filter) }),
    }),
    api.register<{ agentId: string }>('agents.get', {
      summary: 'one agent by id',
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

// Connection settings from the environment. A software agent run by the gateway's supervisor gets AGENTOS_URL,
// AGENTOS_AGENT_ID and AGENTOS_STATE_DIR (and credentials when the gateway enforces them); a device process can use
// the same variables.
import type { AgentClientOptions } from './agent-client.js';

export function optionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<AgentClientOptions, 'url' | 'agentId' | 'stateDir' | 'username' | 'password'> {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`environment variable ${name} is not set`);
    return v;
  };
  return {
    url: need('AGENTOS_URL'),
    agentId: need('AGENTOS_AGENT_ID'),
    stateDir: need('AGENTOS_STATE_DIR'),
    ...(env['AGENTOS_USERNAME'] ? { username: env['AGENTOS_USERNAME'] } : {}),
    ...(env['AGENTOS_PASSWORD'] ? { password: env['AGENTOS_PASSWORD'] } : {}),
  };
}

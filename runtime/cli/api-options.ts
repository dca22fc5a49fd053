// The options every command that talks to a running gateway shares, and the connection they open.
import { ApiClient } from '../bus/api-client.js';
import { intOption, type Options, type ParsedArgs } from './command.js';

export const apiOptions: Options = {
  url: { type: 'string' },
  gateway: { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
  username: { type: 'string' },
};

export const apiHelp: Record<string, string> = {
  'url URL': 'broker of the gateway (default: $AGENTOS_URL or mqtt://127.0.0.1:1883)',
  'gateway ID': 'address one gateway by id (default: any gateway on the broker)',
  'timeout-ms MS': 'give up after this long (default 5000)',
  json: 'print JSON instead of a table',
  'username ID': 'operator or agent id to log in as (default: $AGENTOS_USERNAME); password from $AGENTOS_PASSWORD',
};

export async function connectApi(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<ApiClient> {
  const url = (args.values['url'] as string | undefined) ?? env['AGENTOS_URL'] ?? 'mqtt://127.0.0.1:1883';
  const timeoutMs = intOption(args.values, 'timeout-ms') ?? 5000;
  // the password only from the environment: a command line is visible to every user of the host
  const username = (args.values['username'] as string | undefined) ?? (env['AGENTOS_USERNAME'] || undefined);
  const password = env['AGENTOS_PASSWORD'] || undefined;
  return ApiClient.connect({
    url,
    timeoutMs,
    gatewayId: args.values['gateway'] as string | undefined,
    username,
    password,
  });
}

/** runs fn with a connected client and always closes it */
export async function withApi<T>(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  fn: (api: ApiClient) => Promise<T>,
): Promise<T> {
  const api = await connectApi(args, env);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

// The options every command that talks to a running gateway shares, and the connection they open.
import { ApiClient } from '../bus/api-client.js';
import { intOption, type Options, type ParsedArgs } from './command.js';

export const apiOptions: Options = {
  url: { type: 'string' },
  gateway: { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
};

export const apiHelp: Record<string, string> = {
  'url URL': 'broker of the gateway (default: $AGENTOS_URL or mqtt://127.0.0.1:1883)',
  'gateway ID': 'address one gateway by id (default: any gateway on the broker)',
  'timeout-ms MS': 'give up after this long (default 5000)',
  json: 'print JSON instead of a table',
};

export async function connectApi(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<ApiClient> {
  const url = (args.values['url'] as string | undefined) ?? env['AGENTOS_URL'] ?? 'mqtt://127.0.0.1:1883';
  const timeoutMs = intOption(args.values, 'timeout-ms') ?? 5000;
  return ApiClient.connect({ url, timeoutMs, gatewayId: args.values['gateway'] as string | undefined });
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

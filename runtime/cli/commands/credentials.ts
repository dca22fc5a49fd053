// agentos credentials add|rotate|revoke|list: identities of agents, operators and gateways, in the credential file
// under the data dir. Works on the file directly (run it on the gateway host as the gateway's user); a running
// gateway notices the change and closes the sessions of a rotated or revoked identity.
import { loadConfig } from '../../config/load.js';
import { CredentialStore } from '../../security/credential-store.js';
import type { IdentityKind, OperatorRole } from '../../security/identity.js';
import { type CliCommand, type CliIo, type Options, type ParsedArgs, UsageError } from '../command.js';

export const storeOptions: Options = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  grant: { type: 'string', multiple: true },
  json: { type: 'boolean' },
};

export const storeHelp: Record<string, string> = {
  'config FILE': 'config file of the gateway (default: $AGENTOS_CONFIG); its store.dataDir holds the credentials',
  'data-dir DIR': 'the gateway data dir (store.dataDir) instead of the config',
  'grant FILTER': 'add: an extra topic filter the identity may subscribe to (repeatable)',
  json: 'print JSON',
};

async function openStore(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<CredentialStore> {
  const { config } = await loadConfig({
    path: args.values['config'] as string | undefined,
    env,
    overrides: { 'store.dataDir': args.values['data-dir'] },
  });
  const store = new CredentialStore({ dataDir: config.store.dataDir });
  await store.start();
  return store;
}

function grantsOf(args: ParsedArgs): string[] | undefined {
  const g = (args.values as Record<string, unknown>)['grant'];
  return Array.isArray(g) ? (g as string[]) : undefined;
}

function printSecret(io: CliIo, args: ParsedArgs, r: { id: string; secret: string; kind: string }, what: string): void {
  if (args.values['json']) {
    io.out(JSON.stringify(r));
    return;
  }
  io.out(`${what} ${r.id}`);
  io.out(`secret: ${r.secret}`);
  io.out(`The secret is shown once and stored only as a hash. Connect with username "${r.id}" and this password;`);
  const clientIds = r.kind === 'agent' ? `"${r.id}"` : `"${r.id}" or "${r.id}:<anything>"`;
  io.out(`The MQTT client id must be ${clientIds}.`);
}

/** add / rotate / revoke / list for one kind (agents) or any kind (credentials). */
export async function runCredentials(
  sub: string,
  rest: string[],
  args: ParsedArgs,
  io: CliIo,
  fixedKind?: IdentityKind,
): Promise<number> {
  const [id, ...extra] = rest;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (sub !== 'list' && !id) throw new UsageError(`${sub} needs an id`);
  const store = await openStore(args, io.env);
  try {
    if (sub === 'add') {
      const kind = fixedKind ?? (args.values['kind'] as IdentityKind | undefined) ?? 'agent';
      const role = args.values['role'] as OperatorRole | undefined;
      const r = await store.add({
        id: id!,
        kind,
        role: kind === 'operator' ? (role ?? 'viewer') : role,
        grants: grantsOf(args),
      });
      printSecret(io, args, { ...r, kind }, `added ${kind}`);
    } else if (sub === 'rotate') {
      const kind = store.get(id!)?.kind ?? 'agent';
      printSecret(io, args, { ...(await store.rotate(id!)), kind }, 'new secret for');
    } else if (sub === 'revoke') {
      await store.revoke(id!);
      io.out(
        args.values['json'] ? JSON.stringify({ id, revoked: true }) : `revoked ${id}; its live sessions are closed`,
      );
    } else if (sub === 'list') {
      const all = store.list().filter((i) => fixedKind === undefined || i.kind === fixedKind);
      if (args.values['json']) io.out(JSON.stringify(all, null, 2));
      else if (all.length === 0) io.out('no identities');
      else for (const i of all) io.out(`${i.id}  ${i.kind}${i.role ? `/${i.role}` : ''}  rotated ${i.rotatedAt}`);
    } else {
      throw new UsageError(`unknown subcommand "${sub}"; valid: add, rotate, revoke, list`);
    }
  } finally {
    await store.stop();
  }
  return 0;
}

export const credentialsCommand: CliCommand = {
  name: 'credentials',
  summary: 'Add, rotate, revoke or list the credentials of agents, operators and gateways (on this host).',
  usage:
    'add ID [--kind agent|operator|gateway] [--role admin|viewer|homeassistant] [--grant FILTER]... | rotate ID | revoke ID | list',
  help: {
    ...storeHelp,
    'kind KIND': 'add: agent (default), operator or gateway',
    'role ROLE': 'add: an operator’s role, admin, viewer or homeassistant (the Home Assistant login; default viewer)',
  },
  options: { ...storeOptions, kind: { type: 'string' }, role: { type: 'string' } },
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (!sub) throw new UsageError('a subcommand is needed: add, rotate, revoke or list');
    return runCredentials(sub, rest, args, io);
  },
};

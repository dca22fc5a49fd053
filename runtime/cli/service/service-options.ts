// The options of `agentos service install|uninstall|status`: parsed, checked (a bad value is a UsageError naming its
// flag) and given their defaults. The same options, written back as a command line, are recorded in the unit so that
// `status` can tell whether the installed unit is still what `install` would write, and `uninstall --purge` knows
// which user and data dir `install` made.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Options, type ParsedArgs, UsageError } from '../command.js';

export type ServiceAction = 'install' | 'uninstall' | 'status';

export interface ServiceOptions {
  action: ServiceAction;
  /** unit name without `.service` */
  name: string;
  /** the system user the gateway runs as */
  user: string;
  /** absolute; the only folder the gateway may write */
  dataDir: string;
  /** absolute, or null: built-in defaults */
  configFile: string | null;
  unitDir: string;
  /** systemd MemoryMax= value */
  memoryMax: string;
  dryRun: boolean;
  noStart: boolean;
  purge: boolean;
  json: boolean;
  /** long names of the flags given on the command line (uninstall prefers the installed unit's values otherwise) */
  given: ReadonlySet<string>;
}

export const SERVICE_DEFAULTS = {
  name: 'agentos',
  user: 'agentos',
  dataDir: '/var/lib/agentos',
  unitDir: '/etc/systemd/system',
  // a Pi 3 or Zero 2 W has 512 MB to 1 GB; the gateway is about 92 MB with 1000 agents (runtime/cli/README.md),
  // supervised agents and a retrain worker are processes of the same unit
  memoryMax: '512M',
} as const;

export const serviceOptions: Options = {
  name: { type: 'string' },
  user: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  'unit-dir': { type: 'string' },
  'memory-max': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-start': { type: 'boolean' },
  purge: { type: 'boolean' },
  json: { type: 'boolean' },
};

export const serviceHelp: Record<string, string> = {
  'name NAME': `unit name, NAME.service (default ${SERVICE_DEFAULTS.name})`,
  'user USER': `install: system user the gateway runs as, created if missing (default ${SERVICE_DEFAULTS.user}); uninstall: the one --purge deletes (default: from the unit)`,
  'data-dir DIR': `install: the gateway's state, the only folder it may write (default: store.dataDir of --config if absolute, else ${SERVICE_DEFAULTS.dataDir}); uninstall: the one --purge deletes (default: from the unit)`,
  'config FILE': 'install: config file the gateway reads at every start (default: none, built-in defaults)',
  'unit-dir DIR': `where the unit file goes (default ${SERVICE_DEFAULTS.unitDir})`,
  'memory-max SIZE': `install: MemoryMax= of the unit, e.g. 384M, 1G, 50%, infinity (default ${SERVICE_DEFAULTS.memoryMax})`,
  'dry-run': 'install, uninstall: print the unit and the commands, change nothing (needs no root)',
  'no-start': 'install: enable at boot but do not (re)start now',
  purge: 'uninstall: also delete the data dir and the system user',
  json: 'status: print JSON',
};

/** which flags each action takes; any other given flag is a usage error naming it */
const ALLOWED: Record<ServiceAction, readonly string[]> = {
  install: ['name', 'user', 'data-dir', 'config', 'unit-dir', 'memory-max', 'dry-run', 'no-start'],
  uninstall: ['name', 'user', 'data-dir', 'unit-dir', 'dry-run', 'purge'],
  status: ['name', 'unit-dir', 'json'],
};

/** characters a path may have to go into a unit file unquoted (no spaces, %, $, quotes or backslashes) */
const SAFE_PATH = /^\/[A-Za-z0-9._@+,:=/-]*$/;
/** folders a data dir must not be: it gets ReadWritePaths=, a chown and, with --purge, rm -rf */
const SYSTEM_DIRS = new Set(
  ['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/media', '/mnt', '/opt', '/proc', '/root'].concat([
    '/run',
    '/sbin',
    '/srv',
    '/sys',
    '/tmp',
    '/usr',
    '/usr/local',
    '/var',
    '/var/lib',
    '/var/tmp',
  ]),
);

export function checkName(value: string): string {
  const name = value.endsWith('.service') ? value.slice(0, -'.service'.length) : value;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name))
    throw new UsageError(`--name must be letters, digits, _ and - (at most 64), got "${value}"`);
  return name;
}

export function checkUser(value: string): string {
  // Debian's useradd NAME_REGEX for system users
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(value))
    throw new UsageError(`--user must be a lower-case user name (a-z, 0-9, _ and -, at most 32), got "${value}"`);
  if (value === 'root') throw new UsageError('--user root: the gateway runs unprivileged; name a system user');
  return value;
}

/** an absolute, normalized path safe in a unit file, or a UsageError naming the flag */
export function checkPath(flag: string, value: string): string {
  const abs = resolve(value);
  if (!SAFE_PATH.test(abs))
    throw new UsageError(
      `--${flag} "${value}": a path in a unit file may have only letters, digits and . _ @ + , : = / -`,
    );
  return abs;
}

export function checkDataDir(flag: string, value: string): string {
  const dir = checkPath(flag, value);
  if (SYSTEM_DIRS.has(dir))
    throw new UsageError(
      `--${flag} ${dir} is a system folder; give the gateway a folder of its own such as /var/lib/agentos`,
    );
  return dir;
}

export function checkMemoryMax(value: string): string {
  if (!/^([1-9][0-9]*[KMGT]?|([1-9][0-9]?|100)%|infinity)$/.test(value))
    throw new UsageError(`--memory-max must be bytes with K, M, G or T, a percentage or infinity, got "${value}"`);
  return value;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseServiceOptions(args: ParsedArgs): ServiceOptions {
  const [action = 'status', ...rest] = args.positionals;
  if (action !== 'install' && action !== 'uninstall' && action !== 'status')
    throw new UsageError(`unknown subcommand "${action}"; valid: install, uninstall, status`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const v = args.values;
  const given = new Set(Object.keys(v).filter((k) => v[k] !== undefined));
  for (const flag of given) {
    if (!ALLOWED[action].includes(flag)) throw new UsageError(`--${flag} does not apply to "service ${action}"`);
  }
  const config = str(v['config']);
  return {
    action,
    name: checkName(str(v['name']) ?? SERVICE_DEFAULTS.name),
    user: checkUser(str(v['user']) ?? SERVICE_DEFAULTS.user),
    dataDir: checkDataDir('data-dir', str(v['data-dir']) ?? SERVICE_DEFAULTS.dataDir),
    configFile: config === undefined ? null : checkPath('config', config),
    unitDir: checkPath('unit-dir', str(v['unit-dir']) ?? SERVICE_DEFAULTS.unitDir),
    memoryMax: checkMemoryMax(str(v['memory-max']) ?? SERVICE_DEFAULTS.memoryMax),
    dryRun: v['dry-run'] === true,
    noStart: v['no-start'] === true,
    purge: v['purge'] === true,
    json: v['json'] === true,
    given,
  };
}

export function unitPath(o: Pick<ServiceOptions, 'unitDir' | 'name'>): string {
  return `${o.unitDir}/${o.name}.service`;
}

/** the install options as a command line (after `agentos service install`), in a fixed order */
export function installArgs(o: ServiceOptions): string[] {
  const args = ['--name', o.name, '--user', o.user, '--data-dir', o.dataDir];
  if (o.configFile !== null) args.push('--config', o.configFile);
  args.push('--unit-dir', o.unitDir, '--memory-max', o.memoryMax);
  return args;
}

/** the options as given, for the `sudo ...` line of a refusal */
export function givenArgs(o: ServiceOptions): string[] {
  const all: Record<string, string | null> = {
    name: o.name,
    user: o.user,
    'data-dir': o.dataDir,
    config: o.configFile,
    'unit-dir': o.unitDir,
    'memory-max': o.memoryMax,
  };
  const args: string[] = [];
  for (const [flag, value] of Object.entries(all))
    if (o.given.has(flag) && value !== null) args.push(`--${flag}`, value);
  for (const flag of ['no-start', 'purge']) if (o.given.has(flag)) args.push(`--${flag}`);
  return args;
}

export const INSTALLED_BY = '# installed-by: agentos service install ';

/**
 * The install options recorded in a unit file by `install`, or null when the file has no such line (written by hand or
 * by something else). Paths in it were checked when it was written; they are checked again here.
 */
export function installedOptions(unitText: string): ServiceOptions | null {
  const line = unitText.split('\n').find((l) => l.startsWith(INSTALLED_BY));
  if (line === undefined) return null;
  const words = line.slice(INSTALLED_BY.length).trim().split(/\s+/);
  try {
    const parsed = parseArgs({ args: words, options: serviceOptions, allowPositionals: false, strict: true });
    return parseServiceOptions({
      values: parsed.values as ParsedArgs['values'],
      positionals: ['install'],
    });
  } catch {
    return null;
  }
}

export function isUnder(path: string, dir: string): boolean {
  return isAbsolute(path) && (path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`));
}

// What goes into the unit besides the options: where node and the gateway are, which supplementary groups exist,
// and what the config file asks for (its data dir, listeners below port 1024). The reading is here; the decisions
// are in buildUnitSpec, a pure function.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../command.js';
import { GATEWAY_ENV, GATEWAY_V8_FLAGS } from '../gateway-process.js';
import { checkDataDir, installArgs, isUnder, type ServiceOptions } from './service-options.js';
import type { UnitSpec } from './unit-file.js';

/** groups the service user joins when the host has them: serial ports, BlueZ's D-Bus policy */
export const SERVICE_GROUPS: readonly string[] = ['dialout', 'bluetooth'];

/** the package root: the folder above this file whose package.json is agentos-edge (source or dist/ alike) */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'agentos-edge')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no agentos-edge package.json above ${fileURLToPath(from)}`);
    dir = up;
  }
}

/** the built bin, which the unit runs (the TypeScript sources need tsx, a service does not get it) */
export function gatewayEntry(root: string = packageRoot()): string {
  return join(root, 'dist', 'runtime', 'cli', 'agentos.js');
}

export interface ConfigFacts {
  /** store.dataDir of the file when it is absolute, else null */
  dataDir: string | null;
  /** store.dataDir of the file when it is relative (the unit's --data-dir replaces it) */
  relativeDataDir: string | null;
  /** listener ports in 1..1023 */
  lowPorts: number[];
  /** broker.unixSocket when absolute (a relative one is under the data dir) */
  unixSocket: string | null;
}

export const NO_CONFIG: ConfigFacts = { dataDir: null, relativeDataDir: null, lowPorts: [], unixSocket: null };

/** the Prometheus endpoint's port when it is on (read untyped: the metrics section is optional to this module) */
function metricsPort(config: object): number | null {
  const m = (config as Record<string, { enabled?: unknown; port?: unknown } | undefined>)['metrics'];
  return m?.enabled === true && typeof m.port === 'number' ? m.port : null;
}

/** reads and checks the config the service will start with; a bad file fails the install, not the boot */
export async function readConfigFacts(file: string | null): Promise<ConfigFacts> {
  if (file === null) return NO_CONFIG;
  // env {}: AGENTOS_CONFIG of the operator's shell is not the service's
  const { config } = await loadConfig({ path: file, env: {} });
  const dir = config.store.dataDir;
  const embedded = config.broker.url === null;
  const ports = [
    embedded ? config.broker.port : null,
    embedded ? config.broker.wsPort : null,
    config.security.tls.port,
    config.security.tls.wsPort,
    metricsPort(config),
  ];
  const socket = embedded ? config.broker.unixSocket : null;
  return {
    // the built-in default ./data is relative too: only an absolute path is a choice the service can keep
    dataDir: isAbsolute(dir) ? dir : null,
    relativeDataDir: isAbsolute(dir) || dir === './data' ? null : dir,
    lowPorts: ports.filter((p): p is number => p !== null && p > 0 && p < 1024),
    unixSocket: socket !== null && isAbsolute(socket) ? socket : null,
  };
}

export interface SpecInputs {
  nodePath: string;
  entryPath: string;
  /** of SERVICE_GROUPS, those that exist on the host */
  groups: readonly string[];
  config: ConfigFacts;
}

const HOME_DIRS = ['/home', '/root', '/run/user'];

/**
 * The unit's spec, and the options with the data dir settled: --data-dir, else the config's absolute store.dataDir,
 * else /var/lib/agentos.
 */
export function buildUnitSpec(o: ServiceOptions, x: SpecInputs): { spec: UnitSpec; options: ServiceOptions } {
  const dataDir =
    !o.given.has('data-dir') && x.config.dataDir !== null
      ? checkDataDir('config store.dataDir', x.config.dataDir)
      : o.dataDir;
  const options = { ...o, dataDir };
  if (x.config.unixSocket !== null && !isUnder(x.config.unixSocket, dataDir)) {
    throw new UsageError(
      `broker.unixSocket ${x.config.unixSocket} in ${o.configFile} is outside the data dir ${dataDir}, the only folder the unit lets the gateway write; keep it relative (default run/mqtt.sock)`,
    );
  }
  const inHome = [x.nodePath, x.entryPath].some((p) => HOME_DIRS.some((h) => isUnder(p, h)));
  const spec: UnitSpec = {
    name: o.name,
    user: o.user,
    dataDir,
    configFile: o.configFile,
    nodePath: x.nodePath,
    entryPath: x.entryPath,
    v8Flags: GATEWAY_V8_FLAGS,
    env: GATEWAY_ENV,
    groups: SERVICE_GROUPS.filter((g) => x.groups.includes(g)),
    lowPorts: [...new Set(x.config.lowPorts)].sort((a, b) => a - b),
    memoryMax: o.memoryMax,
    protectHome: inHome ? 'read-only' : 'yes',
    installArgs: installArgs(options),
  };
  return { spec, options };
}

/** notes for the operator about the inputs (printed by install, also with --dry-run) */
export function specNotes(o: ServiceOptions, spec: UnitSpec, x: SpecInputs): string[] {
  const notes: string[] = [];
  if (x.config.relativeDataDir !== null)
    notes.push(
      `store.dataDir "${x.config.relativeDataDir}" in ${o.configFile} is relative; the unit uses ${spec.dataDir}`,
    );
  if (x.config.dataDir !== null && x.config.dataDir !== spec.dataDir)
    notes.push(`--data-dir ${spec.dataDir} wins over store.dataDir ${x.config.dataDir} of ${o.configFile}`);
  for (const g of SERVICE_GROUPS.filter((g) => !spec.groups.includes(g)))
    notes.push(`no group "${g}" on this host: the service gets no ${g === 'dialout' ? 'serial port' : 'BlueZ'} access`);
  if (spec.protectHome === 'read-only')
    notes.push(
      'node or the gateway is under a home folder: the service user must be able to read it (a home folder is often 0700); a global install (sudo npm install -g) or /opt avoids this',
    );
  if (spec.lowPorts.length > 0)
    notes.push(`listeners below 1024 (${spec.lowPorts.join(', ')}): the unit keeps CAP_NET_BIND_SERVICE`);
  return notes;
}

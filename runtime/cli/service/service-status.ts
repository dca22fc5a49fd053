// `agentos service status`: is the unit installed, is it still what `install` would write now (a Node upgrade moves
// process.execPath, a new gateway version may change the flags), and what systemd says of it. Needs no root.
// Exit code as `systemctl status`: 0 running, 3 installed but not running, 4 not installed.
import { type PreparedUnit, prepareUnit, type ServiceContext } from './service-install.js';
import { installedOptions, type ServiceOptions, unitPath } from './service-options.js';

const PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'MainPID',
  'NRestarts',
  'ActiveEnterTimestamp',
  'MemoryCurrent',
  'Result',
];

export interface ServiceStatus {
  unit: string;
  installed: boolean;
  /** null when it could not be compared (no recorded options, unreadable config) */
  upToDate: boolean | null;
  /** the first line that differs, or why there was no comparison */
  difference: string | null;
  /** the install command that rewrites the unit with its recorded options */
  reinstall: string | null;
  /** `systemctl show` properties, or null when systemctl failed */
  systemd: Record<string, string> | null;
  systemdError: string | null;
}

/** the first differing line of two unit texts, or null when equal */
export function firstDifference(expected: string, found: string): string | null {
  const a = expected.split('\n');
  const b = found.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: install writes "${a[i] ?? ''}", the file has "${b[i] ?? ''}"`;
  }
  return null;
}

async function compare(text: string, ctx: ServiceContext) {
  const recorded = installedOptions(text);
  if (recorded === null) return { upToDate: null, difference: 'no "installed-by" line: not written by install' };
  let unit: PreparedUnit;
  try {
    unit = await prepareUnit(recorded, ctx);
  } catch (err) {
    return { upToDate: null, difference: `cannot render it again: ${(err as Error).message.split('\n')[0]}` };
  }
  const difference = firstDifference(unit.text, text);
  const reinstall = ['sudo', ctx.nodePath, ctx.entryPath, 'service', 'install', ...unit.spec.installArgs].join(' ');
  return { upToDate: difference === null, difference, reinstall };
}

async function systemdState(o: ServiceOptions, ctx: ServiceContext) {
  const r = await ctx.host.run(['systemctl', 'show', `${o.name}.service`, `--property=${PROPERTIES.join(',')}`]);
  if (r.code !== 0) return { systemd: null, systemdError: (r.err || r.out).trim().split('\n')[0] ?? `exit ${r.code}` };
  const props: Record<string, string> = {};
  for (const line of r.out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { systemd: props, systemdError: null };
}

export async function serviceStatus(o: ServiceOptions, ctx: ServiceContext): Promise<ServiceStatus> {
  const path = unitPath(o);
  const text = await ctx.host.readText(path);
  const cmp = text === null ? { upToDate: null, difference: null } : await compare(text, ctx);
  return {
    unit: path,
    installed: text !== null,
    upToDate: cmp.upToDate,
    difference: cmp.difference,
    reinstall: 'reinstall' in cmp && cmp.upToDate === false ? (cmp.reinstall ?? null) : null,
    ...(await systemdState(o, ctx)),
  };
}

function memoryLine(p: Record<string, string>, o: ServiceOptions): string {
  const bytes = Number(p['MemoryCurrent']);
  // [not set] (or 2^64-1 on older systemd) when the memory cgroup is off, as on Raspberry Pi OS by default
  if (!Number.isFinite(bytes) || bytes >= 2 ** 63)
    return 'not accounted (memory cgroup off: cgroup_enable=memory in /boot/firmware/cmdline.txt)';
  return `${(bytes / 2 ** 20).toFixed(1)} MiB (unit ${o.name}: gateway and its agents)`;
}

export function printStatus(s: ServiceStatus, o: ServiceOptions, out: (line: string) => void): void {
  out(`unit       ${s.unit} ${s.installed ? '' : '(not installed)'}`.trimEnd());
  if (s.installed) {
    const current = s.upToDate === true ? 'yes' : s.upToDate === false ? 'no' : 'unknown';
    out(`current    ${current}${s.difference ? ` (${s.difference})` : ''}`);
    if (s.reinstall !== null) out(`           rewrite it: ${s.reinstall}`);
  }
  const p = s.systemd;
  if (p === null) out(`systemd    ${s.systemdError ?? 'no answer'}`);
  else {
    const pid = p['MainPID'] && p['MainPID'] !== '0' ? `, pid ${p['MainPID']}` : '';
    const since = p['ActiveEnterTimestamp'] ? `, since ${p['ActiveEnterTimestamp']}` : '';
    out(`state      ${p['ActiveState'] ?? '?'} (${p['SubState'] ?? '?'})${pid}${since}, result ${p['Result'] ?? '?'}`);
    out(`boot       ${p['UnitFileState'] || 'not enabled'}, restarts ${p['NRestarts'] ?? '?'}`);
    if (p['ActiveState'] === 'active') out(`memory     ${memoryLine(p, o)}`);
  }
  out(`logs       journalctl -u ${o.name} -f -o cat`);
}

export function statusCode(s: ServiceStatus): number {
  if (!s.installed) return 4;
  return s.systemd?.['ActiveState'] === 'active' ? 0 : 3;
}

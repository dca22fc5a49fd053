// The systemd unit of a gateway, as text: a pure function of a UnitSpec, so it is tested without root or systemd
// (and checked with `systemd-analyze verify`). Every directive has a comment line saying why it is there; the V8 flags
// and environment come from gateway-process.ts through the spec, never typed here.
import { INSTALLED_BY } from './service-options.js';

export interface UnitSpec {
  /** unit name without `.service` */
  name: string;
  user: string;
  dataDir: string;
  configFile: string | null;
  /** absolute path of node (process.execPath) */
  nodePath: string;
  /** absolute path of dist/runtime/cli/agentos.js */
  entryPath: string;
  /** GATEWAY_V8_FLAGS */
  v8Flags: readonly string[];
  /** GATEWAY_ENV */
  env: Readonly<Record<string, string>>;
  /** supplementary groups that exist on the host (dialout for serial ports, bluetooth for BlueZ over D-Bus) */
  groups: readonly string[];
  /** listener ports below 1024 in the config (they need CAP_NET_BIND_SERVICE) */
  lowPorts: readonly number[];
  memoryMax: string;
  /** `read-only` when node or the gateway's files are under /home or /root, else `yes` */
  protectHome: 'yes' | 'read-only';
  /** the options after `agentos service install`, recorded for status and uninstall */
  installArgs: readonly string[];
}

/** seconds; the supervisor gives each agent its stopGraceMs (default 5 s, in parallel), then the store is written */
export const STOP_TIMEOUT_S = 30;
export const RESTART_DELAY_S = 5;
export const START_LIMIT_INTERVAL_S = 600;
export const START_LIMIT_BURST = 5;

/** an ExecStart= word: quoted when it has characters systemd would split or expand */
export function execWord(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[A-Za-z0-9._@+,:=/-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function execStart(s: UnitSpec): string {
  const args = [s.nodePath, ...s.v8Flags, s.entryPath, 'start', '--data-dir', s.dataDir];
  if (s.configFile !== null) args.push('--config', s.configFile);
  return args.map(execWord).join(' ');
}

function unitSection(s: UnitSpec): string[] {
  return [
    '[Unit]',
    'Description=AgentOS Edge gateway',
    '# ordered after the network stack is configured, not after it is online: the broker listens on all addresses',
    '# and serial and BLE devices need no network; cluster peers and an external broker are retried by the gateway',
    'After=network.target',
    '# cluster messages more than 30 s off are refused and a Pi has no RTC: after NTP sync where',
    '# systemd-time-wait-sync.service is enabled (an ordering only, it pulls nothing in)',
    'After=time-sync.target',
    '# BLE goes through bluetoothd over D-Bus; after it when it is installed (an ordering, not a requirement)',
    'After=bluetooth.service',
    `# a crash loop ends after ${START_LIMIT_BURST} failed starts in ${START_LIMIT_INTERVAL_S / 60} minutes instead of wearing the SD card;`,
    `# after fixing the cause: systemctl reset-failed ${s.name} && systemctl start ${s.name}`,
    `StartLimitIntervalSec=${START_LIMIT_INTERVAL_S}`,
    `StartLimitBurst=${START_LIMIT_BURST}`,
  ];
}

function processLines(s: UnitSpec): string[] {
  const lines = [
    '[Service]',
    '# exec: the start fails when node or the script cannot be run (simple reports success before the exec);',
    '# not notify: sd_notify needs a unix datagram socket, which Node does not have',
    'Type=exec',
    `User=${s.user}`,
    `Group=${s.user}`,
  ];
  if (s.groups.length > 0) {
    lines.push(
      '# dialout: /dev/ttyUSB*, ttyACM*, ttyAMA* (serial driver); bluetooth: the D-Bus policy of org.bluez (BLE driver)',
      `SupplementaryGroups=${s.groups.join(' ')}`,
    );
  }
  lines.push(
    '# the memory settings of `npm start` (GATEWAY_ENV and GATEWAY_V8_FLAGS in runtime/cli/gateway-process.ts);',
    '# without them the gateway logs a warning and uses about 30 MB more',
    ...Object.entries(s.env).map(([k, v]) => `Environment=${k}=${v}`),
    '# --data-dir on the command line wins over store.dataDir of the config, so it is the folder made writable below',
    `ExecStart=${execStart(s)}`,
    `WorkingDirectory=${s.dataDir}`,
    '# files the gateway creates are not readable by other users (credentials and keys are 0600 anyway)',
    'UMask=0027',
    `# stdout is pino JSON, one object a line: journalctl -u ${s.name} -o cat`,
    'StandardOutput=journal',
    'StandardError=journal',
    `SyslogIdentifier=${s.name}`,
    '',
    `# restarted ${RESTART_DELAY_S} s after a crash, an OOM kill or a non-zero exit; not after systemctl stop`,
    'Restart=on-failure',
    `RestartSec=${RESTART_DELAY_S}s`,
    '# exit 2 is a usage error in the flags above: restarting cannot fix it',
    'RestartPreventExitStatus=2',
    '# SIGTERM to the gateway only: it stops its supervised agents itself (SIGTERM, their stopGraceMs, SIGKILL) and',
    `# writes its state; what is left after TimeoutStopSec gets SIGKILL. ${STOP_TIMEOUT_S} s covers the default 5 s grace`,
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${STOP_TIMEOUT_S}s`,
    '# the whole unit: gateway, supervised agents, retrain worker. No effect where the memory cgroup is off, as on',
    '# Raspberry Pi OS kernels by default (cgroup_enable=memory in cmdline.txt); the supervisor limits agents anyway',
    `MemoryMax=${s.memoryMax}`,
  );
  return lines;
}

function capabilityLines(s: UnitSpec): string[] {
  if (s.lowPorts.length === 0) {
    return [
      '# no capabilities: the listeners (1883, 8083 by default; TLS off by default) are all at 1024 or above',
      'CapabilityBoundingSet=',
      'AmbientCapabilities=',
    ];
  }
  return [
    `# the config listens on ${s.lowPorts.join(', ')}, below 1024: only the capability to bind them`,
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
    'AmbientCapabilities=CAP_NET_BIND_SERVICE',
  ];
}

function hardeningLines(s: UnitSpec): string[] {
  const home =
    s.protectHome === 'yes'
      ? ['# /home, /root and /run/user are invisible', 'ProtectHome=yes']
      : [
          '# read-only, not hidden: node or the gateway itself is installed under a home folder',
          'ProtectHome=read-only',
        ];
  return [
    `# hardening; \`systemd-analyze security ${s.name}\` scores it`,
    '# setuid binaries cannot raise privileges (unshare --user for sandboxed agents needs none)',
    'NoNewPrivileges=yes',
    ...capabilityLines(s),
    '# the whole file system read-only but the data dir',
    'ProtectSystem=strict',
    `ReadWritePaths=${s.dataDir}`,
    ...home,
    'PrivateTmp=yes',
    '# real /dev: serial adapters come and go (hot plug), and DeviceAllow= names drivers loaded at start only;',
    '# access is decided by the device files (root:dialout 0660). Not ProtectClock=: it implies DeviceAllow=char-rtc,',
    '# which on some systemd versions closes every other device',
    'PrivateDevices=no',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectHostname=yes',
    "# other users' processes hidden in /proc; not ProcSubset=pid: os.loadavg() and os.totalmem() read /proc",
    'ProtectProc=invisible',
    '# AF_UNIX: the broker socket and D-Bus to bluetoothd (BLE needs no AF_BLUETOOTH); AF_NETLINK: interface list',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    '# sandboxed gateway-only agents run in their own network namespace: unshare --user --map-root-user --net',
    'RestrictNamespaces=user net',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    '# not MemoryDenyWriteExecute=: V8 compiles JavaScript to machine code in writable memory',
    'SystemCallArchitectures=native',
    '# the system calls of an ordinary service (no clock setting, mounts, swap, reboot, module loading); others fail',
    '# with EPERM rather than killing the process',
    'SystemCallFilter=@system-service',
    'SystemCallErrorNumber=EPERM',
  ];
}

export function renderUnit(s: UnitSpec): string {
  const lines = [
    `# ${s.name}.service: the AgentOS Edge gateway. Written by \`agentos service install\`, which rewrites it: change`,
    `# it with \`systemctl edit ${s.name}\` (a drop-in that survives a reinstall). \`agentos service status\` compares`,
    '# it with what install would write now, using these options:',
    `${INSTALLED_BY}${s.installArgs.join(' ')}`,
    '',
    ...unitSection(s),
    '',
    ...processLines(s),
    '',
    ...hardeningLines(s),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  return `${lines.join('\n')}\n`;
}

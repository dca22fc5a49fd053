#!/usr/bin/env node
// The tests run against real peers (Mosquitto and its clients, socat PTY pairs, gcc-built firmware, a private
// dbus-daemon, network namespaces). This installs the missing ones when we are root with apt-get; anywhere else it
// prints the exact command and fails, so a missing peer is never a silent skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** command on PATH (or absolute path) -> Debian package that provides it */
const PEERS = [
  ['mosquitto', 'mosquitto', ['/usr/sbin/mosquitto']],
  ['mosquitto_pub', 'mosquitto-clients', []],
  ['mosquitto_sub', 'mosquitto-clients', []],
  ['socat', 'socat', []],
  ['dbus-daemon', 'dbus', []],
  ['ip', 'iproute2', ['/usr/sbin/ip', '/sbin/ip']],
  ['gcc', 'gcc', []],
  ['g++', 'g++', []],
  ['make', 'make', []],
  ['openssl', 'openssl', []],
  ['systemd-analyze', 'systemd', ['/usr/bin/systemd-analyze']],
];

function has(cmd, extraPaths) {
  for (const p of extraPaths) {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {}
  }
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = [...new Set(PEERS.filter(([cmd, , paths]) => !has(cmd, paths)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = has('apt-get', []);
if (!isRoot || !hasApt) {
  console.error(`Test peers missing: ${missing.join(', ')}. Install them with:\n  sudo ${command}`);
  process.exit(1);
}
console.error(`Installing test peers: ${missing.join(', ')}`);
try {
  // Tests start their own Mosquitto on a port chosen at run time; the packaged service is not needed.
  execFileSync('sh', ['-c', command], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' },
  });
} catch {
  console.error(`Installing test peers failed. Run by hand:\n  ${command}`);
  process.exit(1);
}
const still = PEERS.filter(([cmd, , paths]) => !has(cmd, paths)).map(([cmd]) => cmd);
if (still.length > 0) {
  console.error(`Still missing after install: ${still.join(', ')}`);
  process.exit(1);
}

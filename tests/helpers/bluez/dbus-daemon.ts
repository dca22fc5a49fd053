// A private dbus-daemon for BLE tests: its own config, socket and temp dir, so a test never touches the machine's
// system bus (no BlueZ, no root policy) and parallel test files never share a bus. The policy allows everything,
// because the test's fake BlueZ must own org.bluez, which the stock system policy reserves for root.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommand } from '../peers.js';

export interface PrivateBus {
  /** a D-Bus address (`unix:path=...,guid=...`) for `dbus.sessionBus({ busAddress })` */
  address: string;
  /** kills the daemon and removes its temp dir; idempotent */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export async function startPrivateBus(): Promise<PrivateBus> {
  const bin = dbusDaemon();
  const dir = await mkdtemp(join(tmpdir(), 'agentos-dbus-'));
  const config = join(dir, 'bus.conf');
  await writeFile(config, busConfig(join(dir, 'bus')));
  const child = spawn(bin, [`--config-file=${config}`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    return { address: await readAddress(child), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** dbus-daemon's path, or an Error naming the package: the binary is in `dbus` (`dbus-daemon` on newer Debian) */
function dbusDaemon(): string {
  try {
    return requireCommand('dbus-daemon');
  } catch {
    throw new Error('dbus-daemon not found; install it with: sudo apt-get install -y dbus');
  }
}

function busConfig(socketPath: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`;
}

/** the first stdout line is the address (--print-address=1); the daemon listens before printing it */
function readAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.removeListener('data', onOut);
      child.removeListener('exit', onExit);
      fn();
    };
    const onOut = (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) finish(() => resolve(out.slice(0, nl).trim()));
    };
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`dbus-daemon exited with ${code}: ${err.trim()}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`dbus-daemon printed no address in ${START_TIMEOUT_MS} ms: ${err.trim()}`))),
      START_TIMEOUT_MS,
    );
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    child.stdout?.on('data', onOut);
    child.once('exit', onExit);
  });
}

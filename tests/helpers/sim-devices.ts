// gcc-built simulated devices (firmware-bridge/c/host/sim_device.c) on socat PTY pairs, for the serial driver's tests:
// the C program is built once into a private dir, each device gets its own pair in one temp dir, and stop() ends them
// all and removes the files. Nothing is started here: tests plug the pairs in (pair.start()) and power the devices on
// (sim.start()) when they need them, and can unplug and replug them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildC } from '../firmware-bridge/fixtures/c-build.js';
import { SimDevice } from '../firmware-bridge/fixtures/sim-device.js';
import { SocatPair } from '../firmware-bridge/fixtures/socat-pair.js';

export interface SimDeviceOnPair {
  /** the cable: the driver opens pair.hostPath, the device pair.devicePath */
  pair: SocatPair;
  sim: SimDevice;
}

export interface SimDeviceBench {
  /** a temp dir for the pairs' links and the test's own files (images the devices write, ...) */
  dir: string;
  /** a socat pair (links DIR/UID-host and DIR/UID-dev) and a device run as `sim_device --port DEV --uid UID ...args` */
  device(uid: string, args?: readonly string[]): SimDeviceOnPair;
  /**
   * Stops every device, unplugs every pair, removes the dir and the build. Not registered with t.teardown, because a
   * test stops its driver first: `t.teardown(async () => { await driver.stop(); await bench.stop(); })`.
   */
  stop(): Promise<void>;
}

/** builds sim_device and makes the temp dir (named after `prefix`) */
export function simDeviceBench(prefix: string): SimDeviceBench {
  const build = buildC(['sim_device']);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const devices: SimDeviceOnPair[] = [];
  return {
    dir,
    device(uid, args = []) {
      const pair = new SocatPair(join(dir, `${uid}-host`), join(dir, `${uid}-dev`));
      const sim = new SimDevice(build.path('sim_device'), ['--port', pair.devicePath, '--uid', uid, ...args]);
      devices.push({ pair, sim });
      return { pair, sim };
    },
    async stop() {
      await Promise.all(devices.map((d) => d.sim.stop()));
      await Promise.all(devices.map((d) => d.pair.kill()));
      rmSync(dir, { recursive: true, force: true });
      build.remove();
    },
  };
}

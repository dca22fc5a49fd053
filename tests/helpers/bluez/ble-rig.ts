// One BLE peripheral for driver tests: the gcc-built firmware on a socat PTY pair, a private dbus-daemon, and the
// BlueZ-shaped service whose peripheral pipes to that PTY. All started; stop() ends them in reverse order (call it
// after stopping the driver or gateway under test).

import { type SimDeviceBench, type SimDeviceOnPair, simDeviceBench } from '../sim-devices.js';
import { type BluezService, startBluez } from './bluez-service.js';
import { type PrivateBus, startPrivateBus } from './dbus-daemon.js';

export interface BleRig extends SimDeviceOnPair {
  bench: SimDeviceBench;
  bus: PrivateBus;
  bluez: BluezService;
  stop(): Promise<void>;
}

/** `simArgs` gets the bench's temp dir, for files the device writes (e.g. `--ota-out`) */
export async function startBleRig(
  prefix: string,
  uid: string,
  address: string,
  simArgs: (dir: string) => string[] = () => [],
): Promise<BleRig> {
  const bench = simDeviceBench(prefix);
  const { pair, sim } = bench.device(uid, simArgs(bench.dir));
  const bus = await startPrivateBus();
  await pair.start();
  sim.start();
  const bluez = await startBluez({
    busAddress: bus.address,
    peripherals: [{ address, name: 'agentos-sim', ptyPath: pair.hostPath }],
  });
  return {
    bench,
    pair,
    sim,
    bus,
    bluez,
    async stop() {
      await bluez.stop();
      await bus.stop();
      await bench.stop();
    },
  };
}

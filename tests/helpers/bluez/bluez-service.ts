// A BlueZ-shaped service on a private bus (see dbus-daemon.ts): it owns org.bluez and exports the objects node-ble
// walks (AgentManager1 on /org/bluez, Adapter1 on /org/bluez/hci0, then per peripheral Device1, GattService1 and
// GattCharacteristic1, see bluez-peripheral.ts), so a BLE driver runs its real node-ble code against it. Each
// peripheral is a Nordic UART Service whose byte pipe is a socat PTY with the C firmware on the other end.
import dbus, { type DBusError, type Message, type MessageBus } from 'dbus-next';
import { Adapter1, AgentManager1 } from './bluez-objects.js';
import { Peripheral, type PeripheralConfig, type PeripheralStats } from './bluez-peripheral.js';

export { NUS_RX, NUS_SERVICE, NUS_TX } from './bluez-objects.js';
export type { PeripheralConfig, PeripheralStats } from './bluez-peripheral.js';

export interface BluezOptions {
  busAddress: string;
  peripherals: PeripheralConfig[];
}

export interface BluezService {
  /** '/org/bluez/hci0' */
  readonly adapterPath: string;
  /** '/org/bluez/hci0/dev_AA_BB_...' */
  devicePath(address: string): string;
  /** the adapter's Discovering */
  discovering(): boolean;
  /**
   * Out of range, its Device1 goes away (a running scan finds it again once back in range) and a connection drops
   * like a link loss. Resolves when the link is down; never rejects, so tests may call it without awaiting.
   */
  setInRange(address: string, inRange: boolean): Promise<void>;
  /** a link loss (supervision timeout) while the peripheral stays in range; resolves when down, never rejects */
  dropLink(address: string): Promise<void>;
  stats(address: string): PeripheralStats;
  /** disconnects everything, closes the PTYs, releases org.bluez and leaves the bus; idempotent */
  stop(): Promise<void>;
}

const ADAPTER_PATH = '/org/bluez/hci0';

export async function startBluez(opts: BluezOptions): Promise<BluezService> {
  const addresses = opts.peripherals.map((c) => c.address.toUpperCase());
  const twice = addresses.find((a, i) => addresses.indexOf(a) !== i);
  if (twice) throw new Error(`peripheral ${twice} configured twice`);
  const bus = dbus.sessionBus({ busAddress: opts.busAddress });
  let busError: Error | undefined;
  // dbus-next reports a dead socket only as an 'error' event, which would otherwise crash the test process
  const failed = new Promise<never>((_, reject) =>
    bus.on('error', (err: Error) => {
      busError = err;
      reject(err);
    }),
  );
  failed.catch(() => undefined);
  try {
    const reply = await Promise.race([bus.requestName('org.bluez', 0), failed]);
    if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error(`RequestName replied ${reply}`);
  } catch (err) {
    bus.disconnect();
    throw new Error(`cannot own org.bluez on ${opts.busAddress}: ${(err as Error).message}`);
  }

  const peripherals = new Map<string, Peripheral>();
  let stopping: Promise<void> | undefined;
  const adapter = new Adapter1('C0:FF:EE:00:00:01', {
    discoveryChanged: () => {
      for (const p of peripherals.values()) {
        if (adapter.Discovering) p.removed = false;
        p.refresh();
      }
    },
    removeDevice: async (path) => {
      const p = [...peripherals.values()].find((x) => x.path === path && x.exported);
      if (!p) return false;
      p.removed = true;
      await p.drop();
      p.refresh();
      return true;
    },
  });
  const agentManager = new AgentManager1();
  bus.export('/org/bluez', agentManager);
  bus.export(ADAPTER_PATH, adapter);

  const host = {
    bus,
    adapterPath: ADAPTER_PATH,
    discovering: () => adapter.Discovering,
    stopping: () => stopping !== undefined,
  };
  for (const c of opts.peripherals) {
    const p = new Peripheral(c, host);
    peripherals.set(p.address, p);
  }

  // A driver may call Connect on a Device1 it looked up before the object went away (scan stopped, out of range).
  // bluetoothd keeps such cached devices and pages the peripheral: it connects when the peripheral is in range and
  // fails with le-connection-abort-by-local when not. Without this, dbus-next would answer UnknownMethod.
  const onStaleConnect = (msg: Message): boolean => {
    if (msg.interface !== 'org.bluez.Device1' || msg.member !== 'Connect') return false;
    const p = [...peripherals.values()].find((x) => x.path === msg.path);
    if (!p || p.exported || p.removed) return false;
    p.connect().then(
      () => bus.send(dbus.Message.newMethodReturn(msg, '', [])),
      // types.d.ts declares newError(msg: string, ...), but it takes the call, as newMethodReturn does
      (err: DBusError) => bus.send(dbus.Message.newError(msg as unknown as string, err.type, err.text)),
    );
    return true;
  };
  bus.addMethodHandler(onStaleConnect);

  const find = (address: string): Peripheral => {
    const p = peripherals.get(address.toUpperCase());
    if (!p) throw new Error(`the BlueZ fixture has no peripheral ${address}`);
    return p;
  };

  return {
    adapterPath: ADAPTER_PATH,
    devicePath: (address) => find(address).path,
    discovering: () => adapter.Discovering,
    async setInRange(address, inRange) {
      const p = find(address);
      p.inRange = inRange;
      if (inRange) p.removed = false;
      else await p.drop();
      p.refresh();
    },
    dropLink: (address) => find(address).drop(),
    stats: (address) => ({ ...find(address).stats }),
    stop() {
      stopping ??= (async () => {
        bus.removeMethodHandler(onStaleConnect);
        for (const p of peripherals.values()) p.inRange = false;
        await Promise.all([...peripherals.values()].map((p) => p.drop()));
        for (const p of peripherals.values()) p.refresh();
        bus.unexport(ADAPTER_PATH, adapter);
        bus.unexport('/org/bluez', agentManager);
        if (!busError) await releaseName(bus);
        bus.disconnect();
      })();
      return stopping;
    },
  };
}

/** gives org.bluez back; bounded, because a bus whose daemon already died never answers */
async function releaseName(bus: MessageBus): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1000);
  });
  await Promise.race([bus.releaseName('org.bluez').catch(() => undefined), timeout]);
  clearTimeout(timer);
}

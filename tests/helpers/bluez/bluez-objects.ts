// BlueZ's D-Bus objects (org.bluez.*1, as in BlueZ's doc/*.rst) as dbus-next service interfaces, declared with
// Interface.configureMembers because the repo compiles without decorators. They hold state and check arguments the
// way bluetoothd does; what a call does to the link (open the PTY, count, drop) is the service's, through hooks.
// Members are what node-ble reads or calls, plus the few a driver may log (AddressType, UUIDs, Adapter).
import dbus from 'dbus-next';

const { Interface } = dbus.interface;
type DbusInterface = InstanceType<typeof Interface>;

/** Nordic UART Service: the driver writes RX, the peripheral notifies on TX */
export const NUS_SERVICE = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
export const NUS_RX = '6e400002-b5a3-f393-e0a9-e50e24dcca9e';
export const NUS_TX = '6e400003-b5a3-f393-e0a9-e50e24dcca9e';

/** a D-Bus error reply named like bluetoothd's (org.bluez.Error.NAME) */
export function bluezError(name: string, message: string): Error {
  return new dbus.DBusError(`org.bluez.Error.${name}`, message);
}

/** assigns the values that differ and emits one PropertiesChanged with them, as bluetoothd batches its changes */
export function setProps(iface: DbusInterface, changes: Record<string, string | number | boolean>): void {
  const changed: Record<string, unknown> = {};
  const target = iface as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (target[key] === value) continue;
    target[key] = value;
    changed[key] = value;
  }
  if (Object.keys(changed).length > 0) Interface.emitPropertiesChanged(iface, changed, []);
}

/** /org/bluez: node-ble's Bluetooth lists adapters as the children of this object and needs the interface on it */
export class AgentManager1 extends Interface {
  constructor() {
    super('org.bluez.AgentManager1');
  }
  // no pairing in these tests: agents are accepted and never called
  RegisterAgent(_agent: string, _capability: string): void {}
  UnregisterAgent(_agent: string): void {}
  RequestDefaultAgent(_agent: string): void {}
}
AgentManager1.configureMembers({
  methods: {
    RegisterAgent: { inSignature: 'os' },
    UnregisterAgent: { inSignature: 'o' },
    RequestDefaultAgent: { inSignature: 'o' },
  },
});

export interface AdapterHooks {
  /** called after Discovering turned true / false */
  discoveryChanged(): void;
  /** RemoveDevice: disconnects and removes it; false when the path is no device of this adapter */
  removeDevice(path: string): Promise<boolean>;
}

export class Adapter1 extends Interface {
  Address: string;
  AddressType = 'public';
  Name = 'agentos-test';
  Alias = 'agentos-test';
  Powered = true;
  Discovering = false;
  /** the last SetDiscoveryFilter (node-ble sets Transport=le); kept for assertions, not applied */
  filter: Record<string, unknown> = {};

  constructor(
    address: string,
    private readonly hooks: AdapterHooks,
  ) {
    super('org.bluez.Adapter1');
    this.Address = address;
  }

  SetDiscoveryFilter(filter: Record<string, unknown>): void {
    this.filter = filter;
  }
  StartDiscovery(): void {
    if (!this.Powered) throw bluezError('NotReady', 'Resource Not Ready');
    if (this.Discovering) throw bluezError('InProgress', 'Operation already in progress');
    setProps(this, { Discovering: true });
    this.hooks.discoveryChanged();
  }
  StopDiscovery(): void {
    if (!this.Discovering) throw bluezError('Failed', 'No discovery started');
    setProps(this, { Discovering: false });
    this.hooks.discoveryChanged();
  }
  async RemoveDevice(path: string): Promise<void> {
    if (!(await this.hooks.removeDevice(path))) throw bluezError('DoesNotExist', 'Does Not Exist');
  }
}
Adapter1.configureMembers({
  properties: {
    Address: { signature: 's', access: 'read' },
    AddressType: { signature: 's', access: 'read' },
    Name: { signature: 's', access: 'read' },
    Alias: { signature: 's' },
    Powered: { signature: 'b' },
    Discovering: { signature: 'b', access: 'read' },
  },
  methods: {
    SetDiscoveryFilter: { inSignature: 'a{sv}' },
    StartDiscovery: {},
    StopDiscovery: {},
    RemoveDevice: { inSignature: 'o' },
  },
});

export interface DeviceHooks {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export class Device1 extends Interface {
  Address: string;
  AddressType = 'random';
  Name: string;
  Alias: string;
  RSSI = -55;
  Connected = false;
  ServicesResolved = false;
  Paired = false;
  Trusted = false;
  /** advertised services: a driver may filter scan results on NUS */
  UUIDs = [NUS_SERVICE];
  Adapter: string;

  constructor(
    o: { address: string; name: string; adapterPath: string },
    private readonly hooks: DeviceHooks,
  ) {
    super('org.bluez.Device1');
    this.Address = o.address;
    this.Name = o.name;
    this.Alias = o.name;
    this.Adapter = o.adapterPath;
  }

  Connect(): Promise<void> {
    return this.hooks.connect();
  }
  Disconnect(): Promise<void> {
    return this.hooks.disconnect();
  }
}
Device1.configureMembers({
  properties: {
    Address: { signature: 's', access: 'read' },
    AddressType: { signature: 's', access: 'read' },
    Name: { signature: 's', access: 'read' },
    Alias: { signature: 's' },
    RSSI: { signature: 'n', access: 'read' },
    Connected: { signature: 'b', access: 'read' },
    ServicesResolved: { signature: 'b', access: 'read' },
    Paired: { signature: 'b', access: 'read' },
    Trusted: { signature: 'b' },
    UUIDs: { signature: 'as', access: 'read' },
    Adapter: { signature: 'o', access: 'read' },
  },
  methods: { Connect: {}, Disconnect: {} },
});

export class GattService1 extends Interface {
  UUID: string;
  Primary = true;
  Device: string;

  constructor(uuid: string, devicePath: string) {
    super('org.bluez.GattService1');
    this.UUID = uuid;
    this.Device = devicePath;
  }
}
GattService1.configureMembers({
  properties: {
    UUID: { signature: 's', access: 'read' },
    Primary: { signature: 'b', access: 'read' },
    Device: { signature: 'o', access: 'read' },
  },
});

export interface CharacteristicHooks {
  /** a permitted write; checks the length against the link's MTU and resolves when the bytes reached the peripheral */
  write(value: Buffer): Promise<void>;
}

export class GattCharacteristic1 extends Interface {
  UUID: string;
  Service: string;
  Flags: string[];
  Notifying = false;
  Value: Buffer = Buffer.alloc(0);

  constructor(
    o: { uuid: string; servicePath: string; flags: string[] },
    private readonly hooks: CharacteristicHooks,
  ) {
    super('org.bluez.GattCharacteristic1');
    this.UUID = o.uuid;
    this.Service = o.servicePath;
    this.Flags = o.flags;
  }

  ReadValue(_options: Record<string, unknown>): Buffer {
    if (!this.Flags.includes('read')) throw bluezError('NotPermitted', 'Read not permitted');
    return this.Value;
  }
  async WriteValue(value: Buffer, _options: Record<string, unknown>): Promise<void> {
    if (!this.Flags.includes('write') && !this.Flags.includes('write-without-response')) {
      throw bluezError('NotPermitted', 'Write not permitted');
    }
    await this.hooks.write(value);
  }
  StartNotify(): void {
    if (!this.Flags.includes('notify')) throw bluezError('NotSupported', 'Notify not supported');
    setProps(this, { Notifying: true });
  }
  StopNotify(): void {
    setProps(this, { Notifying: false });
  }

  /** one ATT notification: bluetoothd reports it as a Value change, which is all node-ble listens to */
  notify(value: Buffer): void {
    this.Value = value;
    Interface.emitPropertiesChanged(this, { Value: value }, []);
  }
}
GattCharacteristic1.configureMembers({
  properties: {
    UUID: { signature: 's', access: 'read' },
    Service: { signature: 'o', access: 'read' },
    Flags: { signature: 'as', access: 'read' },
    Notifying: { signature: 'b', access: 'read' },
    Value: { signature: 'ay', access: 'read' },
  },
  methods: {
    ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' },
    WriteValue: { inSignature: 'aya{sv}' },
    StartNotify: {},
    StopNotify: {},
  },
});

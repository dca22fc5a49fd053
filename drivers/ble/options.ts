// Options of the BLE driver, checked at construction with errors naming the field. The device side is the firmware
// bridge protocol over a GATT byte pipe shaped like the Nordic UART Service (NUS): the gateway writes to RX and
// subscribes to TX notifications.
import {
  type BridgeProtocolOptions,
  intOption,
  type ResolvedOptions,
  resolveProtocolOptions,
} from '../serial/options.js';

export const NUS_SERVICE_UUID = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
export const NUS_RX_UUID = '6e400002-b5a3-f393-e0a9-e50e24dcca9e';
export const NUS_TX_UUID = '6e400003-b5a3-f393-e0a9-e50e24dcca9e';

export interface BleDeviceConfig {
  /** the peripheral's address, AA:BB:CC:DD:EE:FF */
  address: string;
  /** agent id to register; default `ble-<device uid>` */
  agentId?: string | undefined;
  kind?: 'device' | 'robot' | undefined;
}

export interface BleDriverOptions extends BridgeProtocolOptions {
  devices: BleDeviceConfig[];
  /** BlueZ adapter name, e.g. hci0; default: the first adapter BlueZ lists */
  adapter?: string | undefined;
  /** D-Bus address of BlueZ's bus; default: the system bus (DBUS_SYSTEM_BUS_ADDRESS or its standard socket) */
  dbusAddress?: string | undefined;
  serviceUuid?: string | undefined;
  /** characteristic the gateway writes (default NUS RX) */
  rxUuid?: string | undefined;
  /** characteristic the device notifies (default NUS TX) */
  txUuid?: string | undefined;
  /** bytes per GATT write: ATT MTU - 3 (default 20, the MTU every peripheral supports) */
  writeChunkBytes?: number | undefined;
  /** write with response (slower, one round trip per chunk); default without, the protocol retransmits */
  writeWithResponse?: boolean | undefined;
  /** bytes waiting to be written per link; past it the link is dropped and opened again (default 65536) */
  writeQueueBytesMax?: number | undefined;
  /** ms for connect, service resolution and subscribing (default 15000) */
  connectTimeoutMs?: number | undefined;
  /** ms between checks of which peripherals BlueZ sees, and discovery on or off (default 2000) */
  scanPollMs?: number | undefined;
}

export interface GattPipeOptions {
  serviceUuid: string;
  rxUuid: string;
  txUuid: string;
  writeChunkBytes: number;
  writeWithResponse: boolean;
  writeQueueBytesMax: number;
  connectTimeoutMs: number;
}

export interface ResolvedBleOptions {
  /** one port per device, path = the normalized address */
  bridge: ResolvedOptions;
  pipe: GattPipeOptions;
  adapter: string | undefined;
  dbusAddress: string | undefined;
  scanPollMs: number;
}

const WHO = 'ble driver';
const BLE_PROTOCOL_DEFAULTS = {
  ackTimeoutMs: 1000,
  handshakeTimeoutMs: 10_000,
  reconnectPollMs: 2000,
  keepaliveMs: 10_000,
};
const ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const UUID128 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuid(name: string, v: string | undefined, def: string): string {
  const x = (v ?? def).toLowerCase();
  if (!UUID128.test(x)) throw new TypeError(`${WHO}: ${name} must be a 128-bit UUID, got ${String(v)}`);
  return x;
}

function optionalName(name: string, v: string | undefined): string | undefined {
  if (v !== undefined && (typeof v !== 'string' || v === '')) {
    throw new TypeError(`${WHO}: ${name} must be a non-empty string`);
  }
  return v;
}

export function resolveBleOptions(o: BleDriverOptions): ResolvedBleOptions {
  if (!Array.isArray(o.devices)) throw new TypeError(`${WHO}: devices must be an array of { address }`);
  const seen = new Set<string>();
  const ports = o.devices.map((d, i) => {
    const address = typeof d?.address === 'string' ? d.address.toUpperCase() : '';
    if (!ADDRESS.test(address)) {
      throw new TypeError(`${WHO}: devices[${i}].address must look like AA:BB:CC:DD:EE:FF, got ${String(d?.address)}`);
    }
    if (seen.has(address)) throw new TypeError(`${WHO}: devices[${i}].address ${address} is listed twice`);
    seen.add(address);
    optionalName(`devices[${i}].agentId`, d.agentId);
    // baudRate means nothing on a GATT pipe; the opener ignores it
    return { path: address, baudRate: 0, agentId: d.agentId, kind: d.kind };
  });
  const int = (name: string, v: number | undefined, def: number, min: number, max: number) =>
    intOption(WHO, name, v, def, min, max);
  if (o.writeWithResponse !== undefined && typeof o.writeWithResponse !== 'boolean') {
    throw new TypeError(`${WHO}: writeWithResponse must be a boolean`);
  }
  return {
    // a GATT round trip takes a few connection intervals (7.5..50 ms each), so the timing is slower than serial's
    bridge: { ports, ...resolveProtocolOptions(WHO, o, BLE_PROTOCOL_DEFAULTS) },
    pipe: {
      serviceUuid: uuid('serviceUuid', o.serviceUuid, NUS_SERVICE_UUID),
      rxUuid: uuid('rxUuid', o.rxUuid, NUS_RX_UUID),
      txUuid: uuid('txUuid', o.txUuid, NUS_TX_UUID),
      writeChunkBytes: int('writeChunkBytes', o.writeChunkBytes, 20, 20, 512),
      writeWithResponse: o.writeWithResponse ?? false,
      writeQueueBytesMax: int('writeQueueBytesMax', o.writeQueueBytesMax, 65_536, 1024, 16_777_216),
      connectTimeoutMs: int('connectTimeoutMs', o.connectTimeoutMs, 15_000, 100, 120_000),
    },
    adapter: optionalName('adapter', o.adapter),
    dbusAddress: optionalName('dbusAddress', o.dbusAddress),
    scanPollMs: int('scanPollMs', o.scanPollMs, 2000, 10, 60_000),
  };
}

import { defineSection, intSetting } from '../section.js';

export interface BleDeviceEntry {
  /** AA:BB:CC:DD:EE:FF */
  address: string;
  /** agent id to register; default ble-<device uid> */
  agentId?: string | undefined;
  kind?: 'device' | 'robot' | undefined;
}

export interface BleConfig {
  /** peripherals speaking the firmware bridge protocol over a Nordic-UART-shaped GATT service */
  devices: BleDeviceEntry[];
  /** BlueZ adapter; absent: the first one */
  adapter?: string | undefined;
  /** D-Bus address of BlueZ's bus; absent: the system bus */
  dbusAddress?: string | undefined;
  /** ATT MTU - 3 */
  writeChunkBytes: number;
  writeWithResponse: boolean;
  connectTimeoutMs: number;
  scanPollMs: number;
  ackTimeoutMs: number;
  retriesMax: number;
  handshakeTimeoutMs: number;
  reconnectPollMs: number;
  keepaliveMs: number;
}

const int = intSetting;
const nameSetting = { type: 'string', minLength: 1, maxLength: 256 };

export const bleSection = defineSection<BleConfig>('ble', 'BLE driver: firmware bridge devices over GATT (BlueZ)', {
  properties: {
    devices: {
      type: 'array',
      maxItems: 32,
      default: [],
      description: 'peripherals to connect; empty turns the driver off',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address'],
        properties: {
          address: {
            type: 'string',
            pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$',
            description: 'the peripheral address, AA:BB:CC:DD:EE:FF',
          },
          agentId: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
            description: 'default ble-<uid>',
          },
          kind: { enum: ['device', 'robot'], description: 'agent kind (default device)' },
        },
      },
    },
    adapter: { ...nameSetting, description: 'BlueZ adapter, e.g. hci0 (default: the first one)' },
    dbusAddress: { ...nameSetting, description: "D-Bus address of BlueZ's bus (default: the system bus)" },
    writeChunkBytes: int(20, 512, 20, 'bytes per GATT write (ATT MTU - 3; 20 works with every peripheral)'),
    writeWithResponse: { type: 'boolean', default: false, description: 'GATT writes with response (slower)' },
    connectTimeoutMs: int(100, 120000, 15000, 'connect, resolve services and subscribe within this, ms'),
    scanPollMs: int(10, 60000, 2000, 'check which peripherals BlueZ sees this often, ms'),
    ackTimeoutMs: int(10, 60000, 1000, 'wait this long for a response before retransmitting, ms'),
    retriesMax: int(0, 20, 3, 'retransmissions per request'),
    handshakeTimeoutMs: int(100, 120000, 10000, 'HELLO, CAPS and TIME_SYNC of one connection, ms'),
    reconnectPollMs: int(10, 60000, 2000, 'after a lost link, try again this often while BlueZ sees the device, ms'),
    keepaliveMs: int(0, 3600000, 10000, 'PING a device silent this long, ms; 0 = off'),
  },
});

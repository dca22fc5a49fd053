import { defineSection, intSetting } from '../section.js';

export interface SerialPortEntry {
  /** device path, e.g. /dev/ttyUSB0 */
  path: string;
  /** bit/s */
  baudRate: number;
  /** agent id to register; default serial-<device uid> */
  agentId?: string | undefined;
  kind?: 'device' | 'robot' | undefined;
}

export interface SerialConfig {
  /** microcontrollers on serial lines speaking the firmware bridge protocol (firmware-bridge/PROTOCOL.md) */
  ports: SerialPortEntry[];
  /** per-attempt wait for a device's response before retransmitting */
  ackTimeoutMs: number;
  /** retransmissions per request */
  retriesMax: number;
  /** HELLO + CAPS + TIME_SYNC of one connection */
  handshakeTimeoutMs: number;
  /** how often a missing port path is checked for */
  reconnectPollMs: number;
  /** silence from an online device before it is PINGed; 0 = off */
  keepaliveMs: number;
  /** OTA transfers at once */
  otaConcurrencyMax: number;
  /** OTA jobs waiting */
  otaQueueLengthMax: number;
  /** attempts per OTA job (each resumes) */
  otaAttemptsMax: number;
  /** largest image accepted by `agentos ota` */
  otaImageBytesMax: number;
}

const int = intSetting;

export const serialSection = defineSection<SerialConfig>('serial', 'serial driver: firmware bridge devices and OTA', {
  properties: {
    ports: {
      type: 'array',
      maxItems: 64,
      default: [],
      description: 'serial ports to open; empty turns the driver off',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'baudRate'],
        properties: {
          path: { type: 'string', minLength: 1, description: 'device path, e.g. /dev/ttyUSB0' },
          baudRate: { type: 'integer', minimum: 50, maximum: 4000000, description: 'bit/s' },
          agentId: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
            description: 'default serial-<uid>',
          },
          kind: { enum: ['device', 'robot'], description: 'agent kind (default device)' },
        },
      },
    },
    ackTimeoutMs: int(10, 60000, 500, 'wait this long for a response before retransmitting, ms'),
    retriesMax: int(0, 20, 3, 'retransmissions per request'),
    handshakeTimeoutMs: int(100, 120000, 5000, 'HELLO, CAPS and TIME_SYNC of one connection, ms'),
    reconnectPollMs: int(10, 60000, 500, 'check for a missing port path this often, ms'),
    keepaliveMs: int(
      0,
      3600000,
      5000,
      'PING a device silent this long (no answer: greet again, then offline), ms; 0 = off',
    ),
    otaConcurrencyMax: int(1, 64, 2, 'OTA transfers at once'),
    otaQueueLengthMax: int(1, 10000, 256, 'OTA jobs waiting'),
    otaAttemptsMax: int(1, 100, 5, 'attempts per OTA job; each resumes where the device stopped'),
    otaImageBytesMax: int(1, 67108864, 4194304, 'largest firmware image accepted, bytes'),
  },
});

import { defineSection } from '../section.js';

export interface BrokerConfig {
  /** interface the embedded broker listens on */
  host: string;
  /** MQTT over TCP; 0 picks a free port */
  port: number;
  /** MQTT over WebSocket; 0 picks a free port; null turns it off */
  wsPort: number | null;
  /** external broker (mqtt://, mqtts://, ws://, wss://) used instead of the embedded one; null = embedded */
  url: string | null;
  /** credentials the gateway presents to an external broker */
  username?: string | undefined;
  password?: string | undefined;
  /** MQTT over a Unix socket (mode 0660), relative to store.dataDir; null = off. Sandboxed agents connect here */
  unixSocket: string | null;
  /** how long to wait for the external broker's CONNACK at start */
  connectTimeoutMs: number;
}

const port = { type: 'integer', minimum: 0, maximum: 65535 };

export const brokerSection = defineSection<BrokerConfig>('broker', 'embedded MQTT broker, or an external one by URL', {
  properties: {
    host: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'listen address of the embedded broker' },
    port: { ...port, default: 1883, description: 'MQTT over TCP port (0 = any free port)' },
    wsPort: {
      anyOf: [port, { type: 'null' }],
      default: 8083,
      description: 'MQTT over WebSocket port (0 = any free port, null = off)',
    },
    url: {
      anyOf: [{ type: 'string', pattern: '^(mqtts?|wss?)://.+' }, { type: 'null' }],
      default: null,
      description: 'external broker URL used instead of the embedded broker',
    },
    unixSocket: {
      anyOf: [{ type: 'string', minLength: 1, maxLength: 4096 }, { type: 'null' }],
      default: 'run/mqtt.sock',
      description:
        'embedded broker: MQTT over a Unix socket (mode 0660), path relative to store.dataDir; null = off. ' +
        'Sandboxed gateway-only agents (no network of their own) reach the gateway only through it',
    },
    username: { type: 'string', description: 'user name for the external broker' },
    password: { type: 'string', description: 'password for the external broker' },
    connectTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 10000,
      description: 'wait this long for the external broker at start',
    },
  },
});

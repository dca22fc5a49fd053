// The `security` section: development mode, credentials, TLS listeners, flood limits and topic grants.
// runtime/security reads it; docs/SECURITY.md explains each control.
import { defineSection, intSetting } from '../section.js';

export type ClientCertMode = 'off' | 'request' | 'require';

export interface SecurityLimitsConfig {
  /** largest PUBLISH payload, bytes; a larger one closes the connection */
  payloadBytesMax: number;
  /** largest MQTT packet on the wire, bytes; checked before the packet is buffered */
  packetBytesMax: number;
  messagesPerS: number;
  burstMessages: number;
  /** a client over its rate for longer than this is disconnected */
  throttleMsMax: number;
  connectionsMax: number;
  connectionsPerIpMax: number;
  /** bytes queued towards a client that does not read before it is disconnected */
  outgoingBytesMax: number;
  /** failed logins per IP per minute before logins that need scrypt are refused from it */
  authFailuresPerMinMax: number;
}

export interface SecurityConfig {
  /** development mode: anonymous clients may connect and do anything; announced loudly at start */
  devMode: boolean;
  /** folder of ca.crt, server.crt, server.key (agentos certs); null = <store.dataDir>/certs */
  certsDir: string | null;
  tls: {
    /** listen address of the TLS listeners; null = broker.host (set broker.host to 127.0.0.1 to keep plaintext local) */
    host: string | null;
    /** MQTT over TLS port; null = off, 0 = any free port */
    port: number | null;
    /** MQTT over secure WebSocket port; null = off, 0 = any free port */
    wsPort: number | null;
    /** null = <certsDir>/server.crt, server.key, ca.crt */
    certFile: string | null;
    keyFile: string | null;
    caFile: string | null;
    /** client certificates signed by the site CA: off, request (used when no password is given), require */
    clientCerts: ClientCertMode;
  };
  limits: SecurityLimitsConfig;
  /** extra topic filters an identity may subscribe to, by identity id */
  grants: Record<string, string[]>;
  /** HMAC key of cluster messages; null = <store.dataDir>/security/site.key */
  siteKeyFile: string | null;
  /** run supervised JavaScript agents under Node's permission model (see runtime/security/sandbox.ts) */
  sandboxAgents: boolean;
  /** folders every sandboxed agent may read besides its own (the SDK and node_modules are added) */
  sandboxReadPaths: string[];
  /** when a gateway-only agent cannot get its own network namespace: true runs it on the host network (warned) */
  sandboxNetworkFallback: boolean;
}

const port = { type: 'integer', minimum: 0, maximum: 65535 };
const path = { anyOf: [{ type: 'string', minLength: 1, maxLength: 4096 }, { type: 'null' }], default: null };
const int = intSetting;

export const securitySection = defineSection<SecurityConfig>(
  'security',
  'identities, topic ACLs, TLS listeners, flood limits (see docs/SECURITY.md)',
  {
    properties: {
      devMode: {
        type: 'boolean',
        default: false,
        description: 'let anonymous clients connect and do anything (development only; logged loudly)',
      },
      certsDir: { ...path, description: 'folder of ca.crt, server.crt, server.key; default <store.dataDir>/certs' },
      tls: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          host: {
            anyOf: [{ type: 'string', minLength: 1, maxLength: 255 }, { type: 'null' }],
            default: null,
            description: 'listen address of the TLS listeners (null = broker.host)',
          },
          port: { anyOf: [port, { type: 'null' }], default: null, description: 'MQTT over TLS (null = off)' },
          wsPort: { anyOf: [port, { type: 'null' }], default: null, description: 'secure WebSocket (null = off)' },
          certFile: { ...path, description: 'server certificate (PEM); default <certsDir>/server.crt' },
          keyFile: { ...path, description: 'server key (PEM); default <certsDir>/server.key' },
          caFile: { ...path, description: 'site CA for client certificates (PEM); default <certsDir>/ca.crt' },
          clientCerts: {
            enum: ['off', 'request', 'require'],
            default: 'off',
            description: 'client certificates: off, request (authenticate by CN when no password), require',
          },
        },
      },
      limits: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          payloadBytesMax: int(1024, 268435455, 1048576, 'largest PUBLISH payload, bytes'),
          packetBytesMax: int(1024, 268435455, 1114112, 'largest MQTT packet on the wire, bytes'),
          messagesPerS: int(1, 1000000, 1000, 'sustained messages per second per client'),
          burstMessages: int(1, 10000000, 2000, 'messages a client may send at once above its rate'),
          throttleMsMax: int(1, 600000, 2000, 'longest a flooding client is held back before it is cut off, ms'),
          connectionsMax: int(1, 1000000, 5000, 'connections to the broker at once'),
          connectionsPerIpMax: int(1, 1000000, 1000, 'connections from one IP address at once'),
          outgoingBytesMax: int(65536, 1073741824, 8388608, 'bytes queued to a client that does not read'),
          authFailuresPerMinMax: int(
            1,
            1000000,
            20,
            'failed logins per IP per minute before scrypt logins are refused',
          ),
        },
      },
      grants: {
        type: 'object',
        default: {},
        maxProperties: 10000,
        propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
        additionalProperties: {
          type: 'array',
          maxItems: 32,
          items: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^$]' },
        },
        description: 'identity id -> extra topic filters it may subscribe to',
      },
      siteKeyFile: {
        ...path,
        description: 'cluster HMAC key (hex, mode 0600); default <store.dataDir>/security/site.key',
      },
      sandboxAgents: {
        type: 'boolean',
        default: true,
        description: 'run supervised JavaScript agents under the Node permission model (own folder and storage only)',
      },
      sandboxReadPaths: {
        type: 'array',
        maxItems: 64,
        default: [],
        items: { type: 'string', minLength: 1, maxLength: 4096 },
        description: 'extra folders every sandboxed agent may read',
      },
      sandboxNetworkFallback: {
        type: 'boolean',
        default: false,
        description:
          'when unshare cannot give a gateway-only agent its own network namespace: true starts it with the ' +
          "host's network (logged as a warning); false (default) refuses to start it",
      },
    },
  },
);

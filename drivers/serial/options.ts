// Options of the serial driver, checked at construction with errors naming the field.
import type { SerialOpener } from './link.js';

export interface SerialPortConfig {
  /** device path, e.g. /dev/ttyUSB0 or a PTY link */
  path: string;
  /** bit/s */
  baudRate: number;
  /** agent id to register; default `serial-<device uid>` */
  agentId?: string | undefined;
  kind?: 'device' | 'robot' | undefined;
}

/** The firmware bridge protocol's timing and limits, the same over every byte link (serial, BLE). */
export interface BridgeProtocolOptions {
  /** ms per attempt before a request is retransmitted (default 500) */
  ackTimeoutMs?: number | undefined;
  /** retransmissions per request (default 3) */
  retriesMax?: number | undefined;
  /** ms allowed for HELLO, CAPS and TIME_SYNC of one connection (default 5000) */
  handshakeTimeoutMs?: number | undefined;
  /** ms between checks for a missing port path (default 500) */
  reconnectPollMs?: number | undefined;
  /** ms of silence from an online device before it is PINGed; 0 turns the keepalive off (default 5000) */
  keepaliveMs?: number | undefined;
  /** bytes the gateway offers in HELLO (default 512) */
  payloadBytesMax?: number | undefined;
  /** requests in flight per port (default 32) */
  requestsInFlightMax?: number | undefined;
}

export interface SerialDriverOptions extends BridgeProtocolOptions {
  ports: SerialPortConfig[];
  /** opens a port; default: the serialport package with its native binding */
  opener?: SerialOpener | undefined;
}

export interface ResolvedOptions {
  ports: SerialPortConfig[];
  ackTimeoutMs: number;
  retriesMax: number;
  handshakeTimeoutMs: number;
  reconnectPollMs: number;
  keepaliveMs: number;
  payloadBytesMax: number;
  requestsInFlightMax: number;
}

/** An integer option in min..max (default `def`), or a TypeError naming the driver and the field. */
export function intOption(who: string, name: string, v: number | undefined, def: number, min: number, max: number) {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new TypeError(`${who}: ${name} must be an integer ${min}..${max}, got ${String(v)}`);
  }
  return x;
}

type ProtocolDefaults = Partial<
  Record<'ackTimeoutMs' | 'handshakeTimeoutMs' | 'reconnectPollMs' | 'keepaliveMs', number>
>;

/** The protocol options with their defaults; a slower link (BLE) passes longer timing defaults. */
export function resolveProtocolOptions(
  who: string,
  o: BridgeProtocolOptions,
  defaults: ProtocolDefaults = {},
): Omit<ResolvedOptions, 'ports'> {
  const int = (name: string, v: number | undefined, def: number, min: number, max: number) =>
    intOption(who, name, v, def, min, max);
  return {
    ackTimeoutMs: int('ackTimeoutMs', o.ackTimeoutMs, defaults.ackTimeoutMs ?? 500, 10, 60_000),
    retriesMax: int('retriesMax', o.retriesMax, 3, 0, 20),
    handshakeTimeoutMs: int(
      'handshakeTimeoutMs',
      o.handshakeTimeoutMs,
      defaults.handshakeTimeoutMs ?? 5000,
      100,
      120_000,
    ),
    reconnectPollMs: int('reconnectPollMs', o.reconnectPollMs, defaults.reconnectPollMs ?? 500, 10, 60_000),
    keepaliveMs: int('keepaliveMs', o.keepaliveMs, defaults.keepaliveMs ?? 5000, 0, 3_600_000),
    payloadBytesMax: int('payloadBytesMax', o.payloadBytesMax, 512, 32, 512),
    requestsInFlightMax: int('requestsInFlightMax', o.requestsInFlightMax, 32, 1, 1024),
  };
}

export function resolveOptions(o: SerialDriverOptions): ResolvedOptions {
  if (!Array.isArray(o.ports)) throw new TypeError('serial driver: ports must be an array of { path, baudRate }');
  const seen = new Set<string>();
  o.ports.forEach((p, i) => {
    if (typeof p?.path !== 'string' || p.path === '')
      throw new TypeError(`serial driver: ports[${i}].path must be a non-empty string`);
    if (seen.has(p.path)) throw new TypeError(`serial driver: ports[${i}].path ${p.path} is listed twice`);
    seen.add(p.path);
    intOption('serial driver', `ports[${i}].baudRate`, p.baudRate, 0, 50, 4_000_000);
    if (p.agentId !== undefined && (typeof p.agentId !== 'string' || p.agentId === '')) {
      throw new TypeError(`serial driver: ports[${i}].agentId must be a non-empty string`);
    }
  });
  return { ports: o.ports.map((p) => ({ ...p })), ...resolveProtocolOptions('serial driver', o) };
}

// Turns a device's HELLO_ACK and CAPS pages into the kernel's register event, and telemetry FIELDs into values and
// resource use [PROTOCOL.md §4.4, §5.2].

import {
  type CmdDef,
  type FieldValue,
  type HelloAck,
  type PropDef,
  VALUE_TYPE_NAMES,
} from '../../firmware-bridge/ts/index.js';
import type { AgentEvent, AgentKind, Resources, Scalar } from '../driver.js';

export interface DeviceCaps {
  hello: HelloAck;
  props: PropDef[];
  commands: CmdDef[];
}

const typeName = (t: number) => VALUE_TYPE_NAMES[t] ?? `type${t}`;
const ACCESS = ['', 'r', 'w', 'rw'];

export function registerEvent(
  agentId: string,
  kind: AgentKind,
  caps: DeviceCaps,
  port: { path: string; baudRate: number },
  linkName = 'serial',
): Extract<AgentEvent, { type: 'register' }> {
  const capabilities = [...new Set([...caps.hello.capabilities, ...caps.commands.map((c) => c.name)])];
  const properties = caps.props.map((p) => ({
    name: p.name,
    type: typeName(p.type),
    access: ACCESS[p.access] ?? '',
    unit: p.unit,
  }));
  const commands = caps.commands.map((c) => ({
    name: c.name,
    params: c.params.map((p) => ({ name: p.name, type: typeName(p.type), unit: p.unit })),
  }));
  const metadata: Record<string, Scalar> = {
    driver: linkName,
    // a serial line has a path and a speed; a BLE link's path is the peripheral's address
    ...(linkName === 'serial' ? { port: port.path, baudRate: port.baudRate } : { address: port.path }),
    firmware: caps.hello.name,
    firmwareVersion: caps.hello.firmwareVersion,
    uid: caps.hello.uid,
    payloadBytesMax: caps.hello.payloadBytesMax,
    properties: JSON.stringify(properties),
    commands: JSON.stringify(commands),
  };
  return { type: 'register', agentId, kind, capabilities, capacity: {}, metadata };
}

const RESOURCE_KEYS: Record<string, keyof Resources> = {
  'res.cpu': 'cpu',
  'res.memoryMb': 'memoryMb',
  'res.bandwidthKbps': 'bandwidthKbps',
  'res.battery': 'battery',
};

/** Splits telemetry FIELDs into plain values and resource use (numbers only). */
export function splitTelemetry(fields: Record<string, FieldValue>): {
  values: Record<string, Scalar>;
  use: Partial<Resources>;
} {
  const values: Record<string, Scalar> = {};
  const use: Partial<Resources> = {};
  for (const [k, v] of Object.entries(fields)) {
    const r = RESOURCE_KEYS[k];
    if (r && typeof v === 'number') use[r] = v;
    else if (!k.startsWith('res.')) values[k] = v;
  }
  return { values, use };
}

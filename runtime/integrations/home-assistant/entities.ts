// What Home Assistant sees of one agent: a device with entities announced by MQTT discovery
// (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery). Pure: the agent record in, discovery configs out.
// - a connectivity binary_sensor from the agent's retained status topic;
// - a sensor (or binary_sensor for booleans) per telemetry value, with the unit the device declared (bridge
//   devices' `properties` metadata);
// - controls from the commands the device declared (bridge devices' `commands` metadata): no parameter -> button,
//   one boolean -> switch (its state from the property the command is named after, e.g. relay.set -> relay), one
//   number -> number. Other commands (several or text parameters) are left out: they have no faithful HA control.
import type { Scalar } from '../../../drivers/driver.js';
import { topics } from '../../bus/topics.js';
import type { AgentRecord } from '../../kernel/registry/agent-record.js';

export type HaComponent = 'sensor' | 'binary_sensor' | 'switch' | 'button' | 'number';

/** a control's command: how a payload from HA becomes the agent command */
export interface HaControl {
  kind: 'button' | 'switch' | 'number';
  command: string;
  /** the one parameter of switch and number */
  param?: string | undefined;
  integer?: boolean | undefined;
}

export interface HaEntity {
  component: HaComponent;
  /** unique per agent, [a-zA-Z0-9_-] */
  objectId: string;
  config: Record<string, unknown>;
  control?: HaControl | undefined;
}

export interface EntityContext {
  gatewayId: string;
  discoveryPrefix: string;
  entitiesMax: number;
}

interface DeclaredProperty {
  name: string;
  type?: string;
  unit?: string;
  access?: string;
}
interface DeclaredCommand {
  name: string;
  params?: { name: string; type?: string; unit?: string }[];
}

const INTEGER_TYPES = new Set(['i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'i64', 'u64']);
const NUMBER_TYPES = new Set([...INTEGER_TYPES, 'f32', 'f64']);
const INT32 = 2_147_483_647;
const PLAIN_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** HA's device classes for the units devices declare; a unit it does not know gets no class (still a sensor) */
const DEVICE_CLASS_BY_UNIT: Record<string, string> = {
  C: 'temperature',
  '°C': 'temperature',
  F: 'temperature',
  '°F': 'temperature',
  '%RH': 'humidity',
  W: 'power',
  kW: 'power',
  Wh: 'energy',
  kWh: 'energy',
  V: 'voltage',
  A: 'current',
  hPa: 'pressure',
  Pa: 'pressure',
  lx: 'illuminance',
  dBm: 'signal_strength',
};
/** HA wants °C, not C */
const UNIT_ALIAS: Record<string, string> = { C: '°C', F: '°F' };

export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export function stateTopic(agentId: string): string {
  return topics.haState(agentId);
}

/** The device's entities, at most ctx.entitiesMax (the status entity first, then telemetry, then controls). */
export function entitiesOf(agent: Readonly<AgentRecord>, ctx: EntityContext): HaEntity[] {
  const props = parseList<DeclaredProperty>(agent.metadata['properties']);
  const unitOf = new Map(props.map((p) => [p.name, p.unit ?? '']));
  const base = baseConfig(agent, ctx);
  const out: HaEntity[] = [statusEntity(agent, ctx, base)];
  for (const [key, value] of Object.entries(agent.telemetry).sort(([a], [b]) => a.localeCompare(b))) {
    // the key goes into a Jinja template: only plain names, so no payload can write template code
    if (PLAIN_KEY.test(key)) out.push(valueEntity(agent, key, value, unitOf.get(key) ?? '', base));
  }
  const known = new Set(Object.keys(agent.telemetry));
  for (const c of parseList<DeclaredCommand>(agent.metadata['commands'])) {
    const e = controlEntity(agent, c, known, base);
    if (e) out.push(e);
  }
  return out.slice(0, ctx.entitiesMax);
}

function baseConfig(agent: Readonly<AgentRecord>, ctx: EntityContext): Record<string, unknown> {
  const firmware = agent.metadata['firmware'];
  const version = agent.metadata['firmwareVersion'];
  return {
    device: {
      identifiers: [`agentos_${slug(ctx.gatewayId)}_${slug(agent.id)}`],
      name: agent.id,
      manufacturer: 'AgentOS Edge',
      model: typeof firmware === 'string' && firmware ? firmware : `${agent.kind} agent`,
      ...(typeof version === 'string' && version ? { sw_version: version } : {}),
      via_device: `agentos_${slug(ctx.gatewayId)}`,
    },
    // unavailable when the agent is offline or the gateway is gone (its retained status, or its last will)
    availability: [
      {
        topic: topics.agent(agent.id, 'status'),
        value_template: "{{ 'online' if value_json.status in ['online', 'busy'] else 'offline' }}",
      },
      { topic: topics.gatewayStatus(ctx.gatewayId), value_template: '{{ value_json.status }}' },
    ],
    availability_mode: 'all',
    origin: { name: 'AgentOS Edge', url: 'https://github.com/agentos-edge' },
  };
}

function uniqueId(base: Record<string, unknown>, objectId: string): string {
  const ids = (base['device'] as { identifiers: string[] }).identifiers;
  return `${ids[0]}_${objectId}`;
}

function statusEntity(agent: Readonly<AgentRecord>, ctx: EntityContext, base: Record<string, unknown>): HaEntity {
  const objectId = 'status';
  // availability is left out on purpose: this entity must say "disconnected", not "unavailable"
  const { availability: _a, availability_mode: _m, ...rest } = base;
  return {
    component: 'binary_sensor',
    objectId,
    config: {
      ...rest,
      name: 'Connected',
      unique_id: uniqueId(base, objectId),
      state_topic: topics.agent(agent.id, 'status'),
      value_template: "{{ 'ON' if value_json.status in ['online', 'busy'] else 'OFF' }}",
      device_class: 'connectivity',
      entity_category: 'diagnostic',
      availability: [{ topic: topics.gatewayStatus(ctx.gatewayId), value_template: '{{ value_json.status }}' }],
    },
  };
}

function valueEntity(
  agent: Readonly<AgentRecord>,
  key: string,
  value: Scalar,
  declaredUnit: string,
  base: Record<string, unknown>,
): HaEntity {
  const objectId = `t_${slug(key)}`;
  const read = `value_json['values'][${JSON.stringify(key)}]`;
  const common = { ...base, name: key, unique_id: uniqueId(base, objectId), state_topic: stateTopic(agent.id) };
  if (typeof value === 'boolean') {
    return {
      component: 'binary_sensor',
      objectId,
      config: { ...common, value_template: `{{ 'ON' if ${read} else 'OFF' }}` },
    };
  }
  const config: Record<string, unknown> = { ...common, value_template: `{{ ${read} }}` };
  if (typeof value === 'number') {
    const unit = UNIT_ALIAS[declaredUnit] ?? declaredUnit;
    if (unit) config['unit_of_measurement'] = unit;
    const deviceClass = DEVICE_CLASS_BY_UNIT[declaredUnit];
    if (deviceClass) config['device_class'] = deviceClass;
    // a numeric value is a measurement: HA keeps long-term statistics of it
    config['state_class'] = 'measurement';
  }
  return { component: 'sensor', objectId, config };
}

function controlEntity(
  agent: Readonly<AgentRecord>,
  c: DeclaredCommand,
  telemetryKeys: ReadonlySet<string>,
  base: Record<string, unknown>,
): HaEntity | null {
  if (typeof c?.name !== 'string' || !PLAIN_KEY.test(c.name) || c.name.startsWith('bridge.')) return null;
  const params = Array.isArray(c.params) ? c.params : [];
  const objectId = `c_${slug(c.name)}`;
  const common = {
    ...base,
    name: c.name,
    unique_id: uniqueId(base, objectId),
    command_topic: topics.haCommand(agent.id, c.name),
  };
  if (params.length === 0) {
    return {
      component: 'button',
      objectId,
      config: { ...common, payload_press: 'PRESS' },
      control: { kind: 'button', command: c.name },
    };
  }
  const p = params[0];
  if (params.length !== 1 || !p || typeof p.name !== 'string') return null;
  if (p.type === 'bool') {
    const config: Record<string, unknown> = { ...common, payload_on: 'ON', payload_off: 'OFF' };
    // relay.set drives the property relay: show its reported value; without one HA assumes the last command took
    const prop = c.name.split('.')[0] ?? '';
    if (telemetryKeys.has(prop)) {
      config['state_topic'] = stateTopic(agent.id);
      config['value_template'] = `{{ 'ON' if value_json['values'][${JSON.stringify(prop)}] else 'OFF' }}`;
    } else {
      config['optimistic'] = true;
    }
    return { component: 'switch', objectId, config, control: { kind: 'switch', command: c.name, param: p.name } };
  }
  if (p.type !== undefined && NUMBER_TYPES.has(p.type)) {
    const integer = INTEGER_TYPES.has(p.type);
    const config: Record<string, unknown> = {
      ...common,
      mode: 'box',
      min: p.type.startsWith('u') ? 0 : -INT32,
      max: INT32,
      step: integer ? 1 : 0.001,
      optimistic: true,
      ...(p.unit ? { unit_of_measurement: p.unit } : {}),
    };
    return {
      component: 'number',
      objectId,
      config,
      control: { kind: 'number', command: c.name, param: p.name, integer },
    };
  }
  return null;
}

/** metadata lists are JSON text (metadata values are scalars); anything else counts as none */
function parseList<T>(v: Scalar | undefined): T[] {
  if (typeof v !== 'string') return [];
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

/** `<prefix>/<component>/<node>/<object>/config` */
export function discoveryTopic(ctx: EntityContext, agentId: string, e: HaEntity): string {
  return `${ctx.discoveryPrefix}/${e.component}/agentos_${slug(ctx.gatewayId)}_${slug(agentId)}/${e.objectId}/config`;
}

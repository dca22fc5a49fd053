// What Home Assistant would make of the gateway's MQTT discovery, for tests: a real mqtt.js client subscribed to the
// discovery prefix and to every state and availability topic the configs name, holding the last retained payload of
// each, and an evaluator for the value templates the gateway writes (a small subset of HA's Jinja: a path into
// value_json, `'A' if COND else 'B'`, COND = PATH | PATH in [...] | PATH == '...'). A template outside that subset
// throws, so the gateway cannot start writing templates this mirror silently misreads.
import type { MqttClient } from 'mqtt';
import { topicMatches } from '../../runtime/bus/topics.js';

export interface MirrorEntity {
  topic: string;
  component: string;
  config: Record<string, unknown>;
}

export class HaMirror {
  readonly configs = new Map<string, Record<string, unknown>>();
  readonly payloads = new Map<string, string>();

  constructor(
    readonly client: MqttClient,
    readonly prefix = 'homeassistant',
  ) {
    client.on('message', (topic, payload) => {
      const text = payload.toString('utf8');
      if (topicMatches(`${prefix}/+/+/+/config`, topic)) {
        if (text === '') this.configs.delete(topic);
        else this.configs.set(topic, JSON.parse(text) as Record<string, unknown>);
      } else {
        this.payloads.set(topic, text);
      }
    });
  }

  async start(extraFilters: string[]): Promise<void> {
    await this.client.subscribeAsync([`${this.prefix}/#`, ...extraFilters], { qos: 1 });
  }

  entities(): MirrorEntity[] {
    return [...this.configs].map(([topic, config]) => ({ topic, component: topic.split('/')[1] ?? '', config }));
  }

  /** the entity whose unique_id ends with `suffix` */
  entity(suffix: string): MirrorEntity | undefined {
    return this.entities().find((e) => String(e.config['unique_id']).endsWith(suffix));
  }

  /** the entity's state as HA would show it, or undefined while its state topic has no payload */
  state(e: MirrorEntity): string | undefined {
    const topic = e.config['state_topic'];
    if (typeof topic !== 'string') return undefined;
    const payload = this.payloads.get(topic);
    if (payload === undefined) return undefined;
    const template = e.config['value_template'];
    return typeof template === 'string' ? render(template, JSON.parse(payload)) : payload;
  }

  /** 'online' when every availability entry says so (availability_mode all), as HA decides */
  available(e: MirrorEntity): boolean {
    const list = (e.config['availability'] ?? []) as { topic: string; value_template?: string }[];
    return list.every((a) => {
      const p = this.payloads.get(a.topic);
      if (p === undefined) return false;
      return (a.value_template ? render(a.value_template, JSON.parse(p)) : p) === 'online';
    });
  }
}

export function render(template: string, valueJson: unknown): string {
  const m = /^\{\{\s*(.+?)\s*\}\}$/.exec(template);
  if (!m) throw new Error(`not a template: ${template}`);
  const expr = m[1] as string;
  const cond = /^'([^']*)' if (.+) else '([^']*)'$/.exec(expr);
  if (cond) return truth(cond[2] as string, valueJson) ? (cond[1] as string) : (cond[3] as string);
  return String(path(expr, valueJson));
}

function truth(cond: string, v: unknown): boolean {
  const inList = /^(.+?) in \[(.+)\]$/.exec(cond);
  if (inList) {
    const items = (inList[2] as string).split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
    return items.includes(String(path(inList[1] as string, v)));
  }
  const eq = /^(.+?) == '([^']*)'$/.exec(cond);
  if (eq) return String(path(eq[1] as string, v)) === eq[2];
  return Boolean(path(cond, v));
}

function path(expr: string, v: unknown): unknown {
  const m = /^value_json((?:\.[A-Za-z_]\w*|\['[^']*'\]|\["[^"]*"\])*)$/.exec(expr.trim());
  if (!m) throw new Error(`template expression outside the mirror's subset: ${expr}`);
  let cur = v;
  for (const seg of (m[1] as string).matchAll(/\.([A-Za-z_]\w*)|\['([^']*)'\]|\["([^"]*)"\]/g)) {
    const key = seg[1] ?? seg[2] ?? seg[3] ?? '';
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

// What the gateway's components see of MQTT, whichever broker is behind it: the embedded aedes (in-process delivery,
// no socket hop) or an external broker through an mqtt.js client.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParsedAgentTopic } from './topics.js';

export interface PublishOptions {
  qos?: 0 | 1 | undefined;
  retain?: boolean | undefined;
}

/** what the bus worked out once about a topic, for every handler it reaches (cached per topic) */
export interface TopicInfo {
  /** agent id and channel of an agentos/v1/agents/{id}/... topic, else null */
  readonly agent: ParsedAgentTopic | null;
}

/** a handler must not throw; if it does, the bus logs it and carries on. `info` saves each handler its own topic parse */
export type MessageHandler = (topic: string, payload: Buffer, info: TopicInfo) => void;

export type Unsubscribe = () => Promise<void>;

export interface Bus {
  /** "embedded" or "external" */
  readonly mode: 'embedded' | 'external';
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  /** resolves once the subscription is active; the result removes it */
  subscribe(filter: string, handler: MessageHandler): Promise<Unsubscribe>;
  /**
   * Plain HTTP requests on the MQTT-over-WebSocket listener go to `handler` (the dashboard), upgrades stay MQTT.
   * Only the embedded broker with a WebSocket listener has it; the result removes the handler.
   */
  serveHttp?(handler: HttpHandler): () => void;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** subscribes several filters, returning one function that removes them all */
export async function subscribeAll(bus: Bus, entries: ReadonlyArray<[string, MessageHandler]>): Promise<Unsubscribe> {
  const offs = await Promise.all(entries.map(([filter, handler]) => bus.subscribe(filter, handler)));
  return async () => {
    await Promise.all(offs.map((off) => off()));
  };
}

// Real mqtt.js clients for tests, closed when the test ends, plus helpers to await a message.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topicMatches } from '../../runtime/bus/topics.js';
import type { Teardown } from './teardown.js';

export async function connectMqtt(t: Teardown, url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10000, ...options }, false);
  t.teardown(() => client.endAsync(true));
  return client;
}

export interface Received {
  topic: string;
  payload: Buffer;
  json: unknown;
}

/**
 * Resolves with the next message on a topic matching `filter` (and `predicate`); the caller subscribes first.
 * Rejects after timeoutMs naming the filter.
 */
export function nextMessage(
  client: MqttClient,
  filter: string,
  timeoutMs = 10000,
  predicate: (m: Received) => boolean = () => true,
): Promise<Received> {
  return new Promise((resolve, reject) => {
    const onMessage = (topic: string, payload: Buffer) => {
      if (!topicMatches(filter, topic)) return;
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        json = undefined;
      }
      const m = { topic, payload, json };
      if (!predicate(m)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(m);
    };
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`Timeout after ${timeoutMs} ms waiting for a message on ${filter}`));
    }, timeoutMs);
    client.on('message', onMessage);
  });
}

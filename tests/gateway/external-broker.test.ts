// External-broker mode: the gateway uses a real Mosquitto (started by the test) instead of its embedded broker.
// Devices and API clients talk to Mosquitto only; registration, telemetry, last will and the API all work.
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { startGateway } from '../helpers/gateway.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { mosquittoPublish } from '../helpers/mosquitto-clients.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('a gateway on an external Mosquitto', async (t) => {
  const mosq = await startMosquitto(t);
  const watcher = await connectMqtt(t, mosq.url);
  await watcher.subscribeAsync(topics.gatewayStatus('gw-ext'));
  const online = nextMessage(
    watcher,
    topics.gatewayStatus('gw-ext'),
    10000,
    (m) => (m.json as { status?: string }).status === 'online',
  );
  const gw = await startGateway(t, { config: { gateway: { id: 'gw-ext' }, broker: { url: mosq.url } } });
  t.equal(gw.url, mosq.url, 'clients are pointed at the external broker');
  t.equal(gw.wsUrl, null, 'no embedded WebSocket listener');
  await online;

  await mosquittoPublish(mosq.port, topics.agent('ext-1', 'hello'), '{"kind":"device","capabilities":["light.set"]}');
  await mosquittoPublish(mosq.port, topics.agent('ext-1', 'telemetry'), '{"values":{"lux":7},"use":{"cpu":0.5}}');
  const api = await ApiClient.connect({ url: mosq.url, timeoutMs: 10000, gatewayId: 'gw-ext' });
  t.teardown(() => api.close());
  const agent = await waitFor(
    async () => {
      const a = (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'ext-1' })).agent;
      return a.telemetry['lux'] === 7 ? a : null;
    },
    10000,
    'ext-1 telemetry through Mosquitto',
  );
  t.match(agent, { status: 'online', use: { cpu: 0.5 } });

  const will = {
    topic: topics.agent('ext-2', 'status'),
    payload: Buffer.from('{"status":"offline"}'),
    retain: true,
    qos: 1 as const,
  };
  const device = await connectMqtt(t, mosq.url, { will });
  await device.publishAsync(topics.agent('ext-2', 'hello'), '{"kind":"robot"}', { qos: 1 });
  await waitFor(() => gw.gateway.context.registry.get('ext-2')?.status === 'online', 10000, 'ext-2 online');
  device.stream.destroy();
  await waitFor(
    () => gw.gateway.context.registry.get('ext-2')?.status === 'offline',
    10000,
    'ext-2 offline through its will',
  );
  t.pass('last will through the external broker');

  const offline = nextMessage(
    watcher,
    topics.gatewayStatus('gw-ext'),
    10000,
    (m) => (m.json as { status?: string }).status === 'offline',
  );
  await gw.stop();
  await offline;
  t.pass('the gateway says offline when it stops');
});

t.test('the gateway reconnects when the external broker restarts and says online again', async (t) => {
  const first = await startMosquitto(t);
  const gw = await startGateway(t, { config: { gateway: { id: 'gw-re' }, broker: { url: first.url } } });
  await first.stop();
  const second = await startMosquitto(t, [], first.port);
  const watcher = await connectMqtt(t, second.url);
  const online = nextMessage(
    watcher,
    topics.gatewayStatus('gw-re'),
    30000,
    (m) => (m.json as { status?: string }).status === 'online',
  );
  await watcher.subscribeAsync(topics.gatewayStatus('gw-re'));
  await online;
  t.pass('retained online status republished after the reconnect');
  await mosquittoPublish(second.port, topics.agent('late-1', 'hello'), '{"kind":"device"}');
  await waitFor(() => gw.gateway.context.registry.get('late-1'), 30000, 'late-1 registered through the new broker');
  t.pass('subscriptions restored');
  await second.stop();
  await gw.stop();
  t.pass('the gateway stops while its broker is down (no wait for acks that cannot come)');
});

t.test('an unreachable external broker fails start with a clear error and leaves nothing running', async (t) => {
  const mosq = await startMosquitto(t);
  await mosq.stop();
  await t.rejects(startGateway(t, { config: { broker: { url: mosq.url, connectTimeoutMs: 2000 } } }), {
    message: new RegExp(`cannot connect to broker ${mosq.url.replace(/[.]/g, '\\.')}`),
  });
});

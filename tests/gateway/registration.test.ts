// Registration, telemetry and state through the gateway, driven from outside by real mqtt.js clients.
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('an agent registers, reports telemetry and state, and is listed by the API', async (t) => {
  const gw = await startGateway(t);
  const device = await connectMqtt(t, gw.url);
  const watcher = await connectMqtt(t, gw.url);
  await watcher.subscribeAsync(topics.agent('lamp-1', 'status'));
  const online = nextMessage(
    watcher,
    topics.agent('lamp-1', 'status'),
    10000,
    (m) => (m.json as { status?: string }).status === 'online',
  );

  const hello = {
    kind: 'device',
    capabilities: ['light.set'],
    capacity: { cpu: 0.5, memoryMb: 64 },
    metadata: { room: 'kitchen' },
  };
  await device.publishAsync(topics.agent('lamp-1', 'hello'), JSON.stringify(hello), { qos: 1 });
  const status = await online;
  t.match(status.json, { status: 'online', source: 'gateway' }, 'status published by the gateway');

  await device.publishAsync(
    topics.agent('lamp-1', 'telemetry'),
    JSON.stringify({ values: { brightness: 80 }, use: { cpu: 0.25 } }),
  );
  await device.publishAsync(topics.agent('lamp-1', 'state'), JSON.stringify({ state: { on: true } }), { qos: 1 });

  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  const agent = await waitFor(
    async () => {
      const { agent } = await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'lamp-1' });
      return agent.state['on'] === true && agent.telemetry['brightness'] === 80 ? agent : null;
    },
    10000,
    'telemetry and state to reach the table',
  );
  t.same(agent.capabilities, ['light.set']);
  t.same(agent.capacity, { cpu: 0.5, memoryMb: 64 });
  t.same(agent.use, { cpu: 0.25 }, 'resource use from telemetry');
  t.same(agent.metadata, { room: 'kitchen' });
  t.equal(agent.kind, 'device');

  const { agents } = await api.call<{ agents: AgentRecord[] }>('agents.list', { capability: 'light.set' });
  t.same(
    agents.map((a) => a.id),
    ['lamp-1'],
  );
  const none = await api.call<{ agents: AgentRecord[] }>('agents.list', { kind: 'robot' });
  t.same(none.agents, [], 'filter by kind');
  for (const id of ['lamp-2', 'lamp-3'])
    await device.publishAsync(topics.agent(id, 'hello'), '{"kind":"device"}', { qos: 1 });
  await waitFor(() => gw.gateway.context.registry.size === 3, 10000, 'three agents');
  const page = await api.call<{ agents: AgentRecord[]; total: number }>('agents.list', { offset: 1, limit: 1 });
  t.equal(page.total, 3, 'total counts every match');
  t.equal(page.agents.length, 1, 'limit bounds the page');
  const health = await api.call<{ agents: { total: number; online: number } }>('health');
  t.match(health.agents, { total: 3, online: 3 });
});

t.test('MQTT over WebSocket reaches the same gateway', async (t) => {
  const gw = await startGateway(t);
  t.ok(gw.wsUrl, 'WebSocket listener is on');
  const api = await ApiClient.connect({ url: gw.wsUrl ?? '', timeoutMs: 10000 });
  t.teardown(() => api.close());
  const health = await api.call<{ gatewayId: string; status: string }>('health');
  t.match(health, { gatewayId: 'gw-test', status: 'ok' });
});

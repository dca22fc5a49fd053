// Liveness: an agent whose socket dies goes offline through its MQTT last will; a silent agent goes offline after the
// heartbeat timeout; any message brings it back. Status is published retained by the gateway.
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { startGateway } from '../helpers/gateway.js';
import { mosquittoPublish, mosquittoSub } from '../helpers/mosquitto-clients.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

const hello = JSON.stringify({ kind: 'robot', capabilities: ['move.to'] });

async function statusOf(api: ApiClient, agentId: string): Promise<AgentRecord> {
  return (await api.call<{ agent: AgentRecord }>('agents.get', { agentId })).agent;
}

t.test('socket death: the last will marks the agent offline and the retained status says so', async (t) => {
  const gw = await startGateway(t);
  const will = {
    topic: topics.agent('bot-1', 'status'),
    payload: Buffer.from('{"status":"offline","reason":"connection lost"}'),
    retain: true,
    qos: 1 as const,
  };
  const device = await connectMqtt(t, gw.url, { clientId: 'bot-1', will });
  await device.publishAsync(topics.agent('bot-1', 'hello'), hello, { qos: 1 });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  await waitFor(async () => (await statusOf(api, 'bot-1')).status === 'online', 10000, 'bot-1 online');

  device.stream.destroy(); // the socket dies without DISCONNECT, so the broker publishes the will
  const agent = await waitFor(
    async () => {
      const a = await statusOf(api, 'bot-1');
      return a.status === 'offline' ? a : null;
    },
    10000,
    'bot-1 offline after its socket died',
  );
  t.equal(agent.statusReason, 'connection lost');

  const late = await connectMqtt(t, gw.url);
  const retained = nextMessage(
    late,
    topics.agent('bot-1', 'status'),
    10000,
    (m) => (m.json as { source?: string }).source === 'gateway',
  );
  await late.subscribeAsync(topics.agent('bot-1', 'status'));
  t.match(
    (await retained).json,
    { status: 'offline', source: 'gateway' },
    'a late subscriber reads the retained status',
  );
});

t.test('a Debian mosquitto_sub client killed with SIGKILL goes offline through its will', async (t) => {
  const gw = await startGateway(t);
  const port = new URL(gw.url).port;
  const sub = await mosquittoSub(t, [
    '-h',
    '127.0.0.1',
    '-p',
    port,
    '-i',
    'sensor-9',
    '-d',
    '-t',
    topics.agent('sensor-9', 'command'),
    '--will-topic',
    topics.agent('sensor-9', 'status'),
    '--will-payload',
    '{"status":"offline"}',
    '--will-retain',
    '--will-qos',
    '1',
  ]);
  await sub.waitLine((l) => l.includes('SUBACK'));
  await mosquittoPublish(port, topics.agent('sensor-9', 'hello'), '{"kind":"device"}');
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  await waitFor(async () => (await statusOf(api, 'sensor-9')).status === 'online', 10000, 'sensor-9 online');
  sub.kill('SIGKILL');
  await waitFor(
    async () => (await statusOf(api, 'sensor-9')).status === 'offline',
    10000,
    'sensor-9 offline after SIGKILL',
  );
  t.pass('offline');
});

t.test('heartbeat timeout marks a silent agent offline; a heartbeat brings it back', async (t) => {
  const gw = await startGateway(t, { config: { liveness: { heartbeatTimeoutMs: 300, checkIntervalMs: 50 } } });
  const device = await connectMqtt(t, gw.url);
  const watcher = await connectMqtt(t, gw.url);
  await watcher.subscribeAsync(topics.agent('cam-1', 'status'));
  const isStatus = (s: string) => (m: { json: unknown }) => (m.json as { status?: string }).status === s;
  const online = nextMessage(watcher, topics.agent('cam-1', 'status'), 10000, isStatus('online'));
  await device.publishAsync(topics.agent('cam-1', 'hello'), hello, { qos: 1 });
  await online;
  const offline = await nextMessage(watcher, topics.agent('cam-1', 'status'), 10000, isStatus('offline'));
  t.match(offline.json, { status: 'offline', reason: 'no message for 300 ms', source: 'gateway' });

  const back = nextMessage(watcher, topics.agent('cam-1', 'status'), 10000, isStatus('online'));
  await device.publishAsync(topics.agent('cam-1', 'heartbeat'), '', { qos: 1 });
  t.match((await back).json, { status: 'online' }, 'an empty heartbeat revives it');
});

t.test('agents report busy and failed; the gateway republishes them retained', async (t) => {
  const gw = await startGateway(t);
  const device = await connectMqtt(t, gw.url);
  await device.publishAsync(topics.agent('arm-2', 'hello'), hello, { qos: 1 });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  await device.publishAsync(topics.agent('arm-2', 'status'), '{"status":"busy"}', { qos: 1 });
  await waitFor(async () => (await statusOf(api, 'arm-2')).status === 'busy', 10000, 'arm-2 busy');
  await device.publishAsync(topics.agent('arm-2', 'status'), '{"status":"failed","reason":"gripper jammed"}', {
    qos: 1,
  });
  const a = await waitFor(
    async () => {
      const agent = await statusOf(api, 'arm-2');
      return agent.status === 'failed' ? agent : null;
    },
    10000,
    'arm-2 failed',
  );
  t.equal(a.statusReason, 'gripper jammed');
  const { agents } = await api.call<{ agents: AgentRecord[] }>('agents.list', { status: 'failed' });
  t.same(
    agents.map((x) => x.id),
    ['arm-2'],
  );
});

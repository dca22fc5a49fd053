// Bad input never crashes the gateway or changes stored state: each refused message gets an error naming the field,
// on the agent's error topic, in the API reply, or on agentos/v1/errors when there is no one else to tell.
import t from 'tap';
import { ApiCallError, ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import type { AgentRecord } from '../../runtime/kernel/registry/agent-record.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt, nextMessage } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

interface ErrorMsg {
  error: { code: string; message: string; field?: string };
  topic: string;
}

t.test('bad agent messages get an error naming the field and leave the table as it was', async (t) => {
  const gw = await startGateway(t, { config: { protocol: { messageBytesMax: 1024 } } });
  const device = await connectMqtt(t, gw.url);
  await device.subscribeAsync(topics.agent('lamp-9', 'error'));
  await device.subscribeAsync(topics.agent('ghost', 'error'));
  await device.publishAsync(topics.agent('lamp-9', 'hello'), '{"kind":"device","capabilities":["light.set"]}', {
    qos: 1,
  });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  const get = async () => (await api.call<{ agent: AgentRecord }>('agents.get', { agentId: 'lamp-9' })).agent;
  const before = await waitFor(get, 10000, 'lamp-9 registered');

  const cases: Array<{
    name: string;
    agent: string;
    channel: 'hello' | 'telemetry' | 'state' | 'status';
    payload: string;
    code: string;
    field?: string;
  }> = [
    { name: 'not JSON', agent: 'lamp-9', channel: 'telemetry', payload: '{"values":', code: 'bad_json' },
    {
      name: 'unknown key',
      agent: 'lamp-9',
      channel: 'hello',
      payload: '{"kind":"device","colour":"red"}',
      code: 'bad_message',
      field: 'colour',
    },
    {
      name: 'wrong enum',
      agent: 'lamp-9',
      channel: 'hello',
      payload: '{"kind":"toaster"}',
      code: 'bad_message',
      field: 'kind',
    },
    {
      name: 'negative capacity',
      agent: 'lamp-9',
      channel: 'hello',
      payload: '{"kind":"device","capacity":{"cpu":-1}}',
      code: 'bad_message',
      field: 'capacity.cpu',
    },
    {
      name: 'nested telemetry value',
      agent: 'lamp-9',
      channel: 'telemetry',
      payload: '{"values":{"x":{"y":1}}}',
      code: 'bad_message',
      field: 'values.x',
    },
    {
      name: 'bad capability',
      agent: 'lamp-9',
      channel: 'hello',
      payload: '{"kind":"device","capabilities":["Light Set"]}',
      code: 'bad_message',
      field: 'capabilities[0]',
    },
    { name: 'missing required', agent: 'lamp-9', channel: 'state', payload: '{}', code: 'bad_message', field: 'state' },
    {
      name: 'bad status',
      agent: 'lamp-9',
      channel: 'status',
      payload: '{"status":"sleepy"}',
      code: 'bad_message',
      field: 'status',
    },
    { name: 'JSON but not an object', agent: 'lamp-9', channel: 'telemetry', payload: '[1,2]', code: 'bad_message' },
    {
      name: 'too large',
      agent: 'lamp-9',
      channel: 'telemetry',
      payload: JSON.stringify({ values: { s: 'x'.repeat(1000), t: 'y'.repeat(100) } }),
      code: 'too_large',
    },
    {
      name: 'unregistered agent',
      agent: 'ghost',
      channel: 'telemetry',
      payload: '{"values":{"a":1}}',
      code: 'not_registered',
    },
  ];
  for (const c of cases) {
    const errorTopic = topics.agent(c.agent, 'error');
    const reply = nextMessage(
      device,
      errorTopic,
      10000,
      (m) => (m.json as ErrorMsg).topic === topics.agent(c.agent, c.channel),
    );
    await device.publishAsync(topics.agent(c.agent, c.channel), c.payload, { qos: 1 });
    const body = (await reply).json as ErrorMsg;
    t.equal(body.error.code, c.code, `${c.name}: code ${c.code}`);
    if (c.field !== undefined) t.equal(body.error.field, c.field, `${c.name}: names ${c.field}`);
  }
  const after = await get();
  t.same({ ...after, lastSeenMs: 0 }, { ...before, lastSeenMs: 0 }, 'the stored agent did not change');
  const health = await api.call<{ status: string; inbox: { refused: number } }>('health');
  t.equal(health.status, 'ok', 'the gateway is still healthy');
  t.ok(health.inbox.refused >= cases.length, 'refusals are counted');
});

t.test('telemetry and state keys per agent are bounded', async (t) => {
  const gw = await startGateway(t);
  const device = await connectMqtt(t, gw.url);
  await device.subscribeAsync(topics.agent('many', 'error'));
  await device.publishAsync(topics.agent('many', 'hello'), '{"kind":"device"}', { qos: 1 });
  const { registry } = gw.gateway.context;
  await waitFor(() => registry.get('many'), 10000, 'registered');
  const values = (from: number, n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, i]));
  await device.publishAsync(topics.agent('many', 'telemetry'), JSON.stringify({ values: values(0, 200) }), { qos: 1 });
  const refused = nextMessage(device, topics.agent('many', 'error'));
  await device.publishAsync(topics.agent('many', 'telemetry'), JSON.stringify({ values: values(200, 100) }), {
    qos: 1,
  });
  t.match((await refused).json, { error: { code: 'limit_reached', field: 'values' } });
  t.equal(Object.keys(registry.get('many')?.telemetry ?? {}).length, 200, 'the refused message changed nothing');
  await device.publishAsync(topics.agent('many', 'telemetry'), JSON.stringify({ values: values(0, 256) }), { qos: 1 });
  await waitFor(
    () => Object.keys(registry.get('many')?.telemetry ?? {}).length === 256,
    10000,
    'up to the limit is fine',
  );
  t.pass('256 keys accepted');
});

t.test('bad API requests get error replies; unanswerable ones go to agentos/v1/errors', async (t) => {
  const gw = await startGateway(t);
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  t.match(await errorBody(api.call('agents.fly')), { code: 'unknown_method', message: /known: .*agents\.list/ });
  const e = await api.call('agents.get', {}).catch((err: unknown) => err);
  t.type(e, ApiCallError);
  t.match((e as ApiCallError).body, { code: 'bad_message', field: 'params.agentId' });
  t.match(await errorBody(api.call('agents.get', { agentId: 'nobody' })), {
    code: 'not_found',
    field: 'params.agentId',
  });
  t.match(await errorBody(api.call('agents.list', { kind: 'device', extra: 1 })), { field: 'params.extra' });
  t.match(await errorBody(api.call('agent.command', { agentId: 'nobody', name: 'x' })), { code: 'not_found' });

  const raw = await connectMqtt(t, gw.url);
  await raw.subscribeAsync([topics.errors, `${topics.replyPrefix}raw`]);
  const noReply = nextMessage(raw, topics.errors);
  await raw.publishAsync(topics.api('health'), 'not json', { qos: 1 });
  t.match((await noReply).json, { error: { code: 'bad_json' }, topic: topics.api('health') });
  const badReplyTo = nextMessage(raw, topics.errors);
  await raw.publishAsync(topics.api('health'), JSON.stringify({ id: '1', replyTo: 'agentos/v1/agents/x/cmd' }), {
    qos: 1,
  });
  t.match(
    (await badReplyTo).json,
    { error: { code: 'bad_message', field: 'replyTo' } },
    'replies only go below agentos/v1/replies/',
  );
  const partial = nextMessage(raw, `${topics.replyPrefix}raw`);
  await raw.publishAsync(
    topics.api('health'),
    JSON.stringify({ id: '7', replyTo: `${topics.replyPrefix}raw`, params: 5 }),
    { qos: 1 },
  );
  t.match(
    (await partial).json,
    { id: '7', ok: false, error: { code: 'bad_message', field: 'params' } },
    'usable replyTo gets the error',
  );
  t.match(await api.call('health'), { status: 'ok' }, 'still healthy');
});

// Commands: the API's agent.command reaches a device (a real mqtt.js client) and returns its reply; a silent device
// times out with an error naming the request; an offline agent is refused at once.
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { CommandMessage } from '../../runtime/bus/schemas/command-messages.js';
import { topics } from '../../runtime/bus/topics.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('command round trip, timeout and offline agent', async (t) => {
  const gw = await startGateway(t);
  const device = await connectMqtt(t, gw.url);
  await device.subscribeAsync(topics.agent('lamp-3', 'command'), { qos: 1 });
  device.on('message', (topic, payload) => {
    if (topic !== topics.agent('lamp-3', 'command')) return;
    const cmd = JSON.parse(payload.toString()) as CommandMessage;
    if (cmd.name === 'ignore') return;
    const reply =
      cmd.name === 'light.set'
        ? { requestId: cmd.requestId, ok: true, result: { on: cmd.params['on'] } }
        : { requestId: cmd.requestId, ok: false, code: 4, error: 'unknown command' };
    device.publish(topics.agent('lamp-3', 'commandReply'), JSON.stringify(reply), { qos: 1 });
  });
  await device.publishAsync(topics.agent('lamp-3', 'hello'), '{"kind":"device","capabilities":["light.set"]}', {
    qos: 1,
  });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  await waitFor(() => gw.gateway.context.registry.get('lamp-3'), 10000, 'lamp-3 registered');

  const ok = await api.call<{ ok: boolean; code: number; result: unknown; requestId: string }>('agent.command', {
    agentId: 'lamp-3',
    name: 'light.set',
    params: { on: true },
  });
  t.match(ok, { ok: true, code: 0, result: { on: true } });
  t.match(ok.requestId, /^gw-test-/);
  const refused = await api.call('agent.command', { agentId: 'lamp-3', name: 'dance' });
  t.match(
    refused,
    { ok: false, code: 4, error: 'unknown command' },
    'a device-side failure is a result, not an API error',
  );
  t.match(await errorBody(api.call('agent.command', { agentId: 'lamp-3', name: 'ignore', timeoutMs: 200 })), {
    code: 'timeout',
    message: /^Timeout after 200 ms \[agent=lamp-3 command=ignore request=gw-test-/,
  });
  t.equal(gw.gateway.context.commands.pendingCount, 0, 'nothing left pending');

  gw.gateway.context.registry.setStatus('lamp-3', 'offline', 'test');
  t.match(await errorBody(api.call('agent.command', { agentId: 'lamp-3', name: 'light.set' })), {
    code: 'unavailable',
  });
});

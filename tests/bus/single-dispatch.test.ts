// One broker delivery per message, fanned out in process: a telemetry message reaches the kernel inbox, resource
// accounting and any other in-process subscriber exactly once, and accounting counts its messages and bytes, with
// the embedded aedes and with an external Mosquitto. (tests/bus/topic-router.test.ts checks that the external
// broker subscriptions never overlap, for brokers that send one copy per matching subscription.)
import t, { type Test } from 'tap';
import type { Bus } from '../../runtime/bus/bus.js';
import { topics } from '../../runtime/bus/topics.js';
import type { Gateway } from '../../runtime/gateway.js';
import { KernelComponent } from '../../runtime/kernel/kernel-component.js';
import { startGateway } from '../helpers/gateway.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

const MESSAGES = 40;
const WAIT_MS = 20000;

/** in-process subscribers with overlapping filters, each counting the telemetry messages it is handed */
async function probes(bus: Bus, agentId: string): Promise<{ all: number; telemetry: number; mine: number }> {
  const counts = { all: 0, telemetry: 0, mine: 0 };
  const telemetryTopic = topics.agent(agentId, 'telemetry');
  await bus.subscribe(topics.anyAgent('telemetry').replace('/telemetry', '/#'), (topic) => {
    if (topic === telemetryTopic) counts.all++;
  });
  await bus.subscribe(topics.anyAgent('telemetry'), (topic) => {
    if (topic === telemetryTopic) counts.telemetry++;
  });
  await bus.subscribe(telemetryTopic, () => counts.mine++);
  return counts;
}

async function scenario(t: Test, gateway: Gateway, url: string, agentId: string): Promise<void> {
  const { registry, accounting, bus } = gateway.context;
  let applied = 0;
  const off = registry.onChange((c) => {
    if (c.type === 'telemetry' && c.agent.id === agentId) applied++;
  });
  t.teardown(off);
  const counts = await probes(bus, agentId);
  const device = await connectMqtt(t, url, { clientId: agentId });
  await device.publishAsync(topics.agent(agentId, 'hello'), '{"kind":"device","capabilities":["sensor.read"]}', {
    qos: 1,
  });
  await waitFor(() => registry.get(agentId), WAIT_MS, `${agentId} registered`);
  const before = await waitFor(() => accounting.agent(agentId), WAIT_MS, `${agentId} accounted`);

  const telemetryTopic = topics.agent(agentId, 'telemetry');
  let bytes = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const payload = JSON.stringify({ values: { seq: i, t: 20 + i / 10 }, use: { cpu: 0.25 } });
    bytes += telemetryTopic.length + Buffer.byteLength(payload);
    await device.publishAsync(telemetryTopic, payload, { qos: 0 });
  }
  // the same connection keeps order: once this state is applied, every telemetry copy sent before it was handled
  const stateTopic = topics.agent(agentId, 'state');
  const statePayload = '{"state":{"done":true}}';
  await device.publishAsync(stateTopic, statePayload, { qos: 1 });
  await waitFor(() => registry.get(agentId)?.state['done'] === true, WAIT_MS, `${agentId} state applied`);

  t.equal(applied, MESSAGES, 'the agent table applied each telemetry message once');
  t.same(
    counts,
    { all: MESSAGES, telemetry: MESSAGES, mine: MESSAGES },
    'each in-process handler ran once per message',
  );
  t.equal(registry.get(agentId)?.telemetry['seq'], MESSAGES - 1, 'the last value is kept');
  const after = accounting.agent(agentId);
  t.equal((after?.msgsIn ?? 0) - before.msgsIn, MESSAGES + 1, 'accounting counted each message in once');
  t.equal(
    (after?.bytesIn ?? 0) - before.bytesIn,
    bytes + stateTopic.length + statePayload.length,
    'accounting counted topic + payload bytes once',
  );
  t.equal(gateway.context.registry.get(agentId)?.use.cpu, 0.25, 'reported use reached the table');
}

const kernelOnly = {
  components: [(ctx: ConstructorParameters<typeof KernelComponent>[0]) => new KernelComponent(ctx)],
};

t.test('embedded aedes: one dispatch per message', async (t) => {
  const gw = await startGateway(t, { ...kernelOnly, config: { gateway: { id: 'gw-once' } } });
  await scenario(t, gw.gateway, gw.url, 'dev-emb');
});

t.test('external Mosquitto: one dispatch per message', async (t) => {
  const mosq = await startMosquitto(t);
  const gw = await startGateway(t, {
    ...kernelOnly,
    config: { gateway: { id: 'gw-mosq' }, broker: { url: mosq.url } },
  });
  await scenario(t, gw.gateway, gw.url, 'dev-mosq');
});

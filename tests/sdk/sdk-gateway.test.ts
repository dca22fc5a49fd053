// The SDK against a real gateway (in-process, embedded aedes on a free port): registration, telemetry, commands,
// storage over MQTT (isolation, traversal, quota), mailbox delivery to an agent that was offline, request/reply
// with a named timeout, capability fan-out, durable state with dedup, and resource accounting on the API.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { AgentClient, type AgentClientOptions, type MailMessage } from '../../sdk/index.js';
import { startGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';

async function agent(
  t: Test,
  url: string,
  agentId: string,
  extra: Partial<AgentClientOptions> = {},
): Promise<AgentClient> {
  const stateDir = await mkdtemp(join(tmpdir(), `agentos-sdk-${agentId}-`));
  const c = new AgentClient({ url, agentId, stateDir, requestTimeoutMs: 5000, ...extra });
  t.teardown(async () => {
    await c.stop();
    await rm(stateDir, { recursive: true, force: true });
  });
  await c.start();
  await c.waitConnected(10000);
  return c;
}

t.test('SDK through a gateway', async (t) => {
  const gw = await startGateway(t, { config: { kernel: { storageQuotaBytes: 4096 } } });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 5000 });
  t.teardown(() => api.close());
  const registry = gw.gateway.context.registry;

  const lamp = await agent(t, gw.url, 'lamp-1', { capabilities: ['light.set'], capacity: { cpu: 0.1 } });
  lamp.onCommand<{ on: boolean }, { on: boolean }>('light.set', (p) => ({ on: p.on }));
  await waitFor(() => registry.get('lamp-1')?.status === 'online', 10000, 'lamp registered');

  await t.test('telemetry, durable state (once) and commands', async (t) => {
    lamp.telemetry({ brightness: 80 }, { use: { cpu: 0.02, battery: 0.9 } });
    lamp.state({ on: true });
    await lamp.flush();
    await waitFor(() => registry.get('lamp-1')?.telemetry['brightness'] === 80, 10000, 'telemetry');
    t.same(registry.get('lamp-1')?.state, { on: true });
    const r = await gw.gateway.context.commands.send({
      agentId: 'lamp-1',
      name: 'light.set',
      params: { on: false },
      timeoutMs: 5000,
    });
    t.match(r, { ok: true, result: { on: false } });
    // a resend of a durable message with the same id (what the outbox does after a crash) is dropped
    const before = gw.gateway.context.dedup.dropped;
    const raw = { state: { on: 'replayed' }, msgId: 'replay-1' };
    for (let i = 0; i < 2; i++)
      await gw.gateway.context.bus.publish('agentos/v1/agents/lamp-1/state', JSON.stringify(raw));
    t.equal(gw.gateway.context.dedup.dropped, before + 1, 'the second copy was dropped');
  });

  await t.test('storage over MQTT: round trip, isolation, traversal, quota', async (t) => {
    const cam = await agent(t, gw.url, 'cam-1');
    await lamp.storage.set('mode', { eco: true });
    t.same(await lamp.storage.get('mode'), { eco: true });
    t.equal(await cam.storage.get('mode'), undefined, 'another agent sees its own namespace only');
    await lamp.storage.writeFile('cfg/a.txt', 'hello');
    t.equal((await lamp.storage.readFile('cfg/a.txt')).toString(), 'hello');
    await t.rejects(cam.storage.readFile('../lamp-1/files/cfg/a.txt'), {
      code: 'bad_message',
      message: /traversal is not allowed/,
    });
    await t.rejects(cam.storage.readFile('cfg/a.txt'), { code: 'not_found' });
    await t.rejects(lamp.storage.writeFile('big.bin', Buffer.alloc(5000)), {
      code: 'limit_reached',
      message: /quota exceeded/,
    });
    t.same(await lamp.storage.keys(), ['mode']);
    t.same(
      (await lamp.storage.listFiles('cfg')).map((e) => e.name),
      ['a.txt'],
    );
    t.match(await lamp.storage.usage(), { quotaBytes: 4096, fileBytes: 5 });
    t.ok(await lamp.storage.deleteFile('cfg/a.txt'));
  });

  await t.test('mailbox: an offline agent gets its messages when it comes back', async (t) => {
    const firstArm = await agent(t, gw.url, 'arm-1', { capabilities: ['move.to'] });
    await firstArm.stop();
    await waitFor(() => registry.get('arm-1')?.status === 'offline', 10000, 'arm offline');
    const ids = [lamp.mailbox.send('arm-1', { n: 1 }, { subject: 'pick' }), lamp.mailbox.send('arm-1', { n: 2 })];
    await lamp.flush();
    const got: MailMessage[] = [];
    const arm = new AgentClient({
      url: gw.url,
      agentId: 'arm-1',
      stateDir: await mkdtemp(join(tmpdir(), 'agentos-arm-')),
      capabilities: ['move.to'],
    });
    t.teardown(() => arm.stop());
    arm.mailbox.onMessage((m) => {
      got.push(m);
    });
    await arm.start();
    await waitFor(() => got.length >= 2, 10000, 'both messages delivered');
    t.same(
      got.map((m) => [m.messageId, m.from, m.body]),
      [
        [ids[0], 'lamp-1', { n: 1 }],
        [ids[1], 'lamp-1', { n: 2 }],
      ],
    );
    t.equal(got[0]?.subject, 'pick');
    await waitFor(
      async () => (await api.call<{ kernel?: { duplicatesDropped: number } }>('health')).kernel,
      10000,
      'kernel health',
    );

    // request/reply between agents, and a timeout that names the request
    arm.mailbox.onMessage((m) => {
      got.push(m);
      return m.expectsReply ? { at: (m.body as { x: number }).x * 2 } : undefined;
    });
    const reply = await lamp.mailbox.request('arm-1', { x: 21 }, { subject: 'where', timeoutMs: 5000 });
    t.same(reply.body, { at: 42 });
    await t.rejects(lamp.mailbox.request('cam-1', {}, { subject: 'ping', timeoutMs: 200 }), {
      name: 'RequestTimeoutError',
      message: /^Timeout after 200 ms \[mailbox request to=cam-1 subject=ping requestId=[0-9a-f-]+\]$/,
    });
    const errs: unknown[] = [];
    lamp.on('mailboxError', (e) => errs.push(e));
    lamp.mailbox.send('ghost', {});
    await waitFor(() => errs.length === 1, 10000, 'refusal of an unknown recipient');
    t.match(errs[0], { error: { code: 'not_found' } });
    // fan-out by capability, and the operator API
    const r = await api.call<{ sent: { to: string }[] }>('mailbox.send', { capability: 'move.to', body: 'all arms' });
    t.same(
      r.sent.map((s) => s.to),
      ['arm-1'],
    );
    await waitFor(() => got.some((m) => m.body === 'all arms'), 10000, 'capability message');
  });

  await t.test('resource accounting on the API', async (t) => {
    for (let i = 0; i < 20; i++) lamp.telemetry({ i });
    const u = await waitFor(
      async () => {
        const r = await api.call<{
          agents: { agentId: string; msgsIn: number; battery: number | null }[];
          totals: { gatewayRssBytes: number };
        }>('resources.usage', { agentId: 'lamp-1' });
        const a = r.agents[0];
        return a && a.msgsIn >= 20 && a.battery === 0.9 && r.totals.gatewayRssBytes > 0 ? a : null;
      },
      10000,
      'lamp usage',
    );
    t.ok(u.msgsIn >= 20);
    const view = gw.gateway.context.accounting.observedUse('lamp-1');
    t.equal(view.battery, 0.9);
    t.equal(view.cpu, 0.02);
  });
});

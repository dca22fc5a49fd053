// The live dashboard: the page and its scripts on the MQTT WebSocket port with a strict content security policy, and
// its model (static/dashboard-model.js, the same file the browser runs) logged in over MQTT-over-WebSocket as a
// viewer on a secure gateway, following agents, telemetry and tasks live. Wrong credentials are refused with a
// message; methods other than GET/HEAD and unknown paths are refused.
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
// @ts-expect-error: a browser module in plain JavaScript, without types
import { DashboardModel } from '../../runtime/integrations/dashboard/static/dashboard-model.js';
import { createSiteCertificates } from '../../runtime/security/certs.js';
import type { SecureAccess } from '../../runtime/security/secure-access.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

function get(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('the page, its scripts and mqtt.js are served on the WebSocket port', async (t) => {
  const gw = await startGateway(t);
  const http = (gw.wsUrl ?? '').replace(/^ws/, 'http');
  const page = await get(`${http}/`);
  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.headers['content-security-policy'], /script-src 'self'/);
  t.match(page.body, /<script type="module" src="dashboard-main.js">/);
  for (const path of ['/dashboard-main.js', '/dashboard-view.js', '/dashboard-model.js', '/vendor/mqtt.esm.js']) {
    const r = await get(`${http}${path}`);
    t.equal(r.status, 200, path);
    t.match(r.headers['content-type'], /javascript/, `${path} is JavaScript`);
  }
  t.equal((await get(`${http}/../package.json`)).status, 404, 'nothing outside the list');
  t.equal((await get(`${http}/`, 'POST')).status, 405);
  const health = gw.gateway.context.health.report()['dashboard'] as { served: number; notFound: number };
  t.ok(health.served >= 5 && health.notFound >= 1, 'counted in health');
});

t.test('the model follows a secure gateway live, as a viewer', async (t) => {
  const gw = await startGateway(t, { config: { security: { devMode: false } } });
  const access = gw.gateway.context.access as SecureAccess;
  const viewer = await access.credentials.add({ id: 'victor', kind: 'operator', role: 'viewer' });
  const lamp = await access.credentials.add({ id: 'lamp-1', kind: 'agent' });
  const url = gw.wsUrl ?? '';

  const wrong = new DashboardModel({ connect: mqtt.connect, url, username: 'victor', password: 'nope' });
  await t.rejects(wrong.start(), /cannot log in/);
  await wrong.stop();

  const model = new DashboardModel({ connect: mqtt.connect, url, username: 'victor', password: viewer.secret });
  t.teardown(() => model.stop());
  await model.start();
  t.equal(model.health.gatewayId, 'gw-test', 'health loaded');
  t.equal(model.agents.size, 0);

  const dev = await connectMqtt(t, gw.url, { clientId: 'lamp-1', username: 'lamp-1', password: lamp.secret });
  await dev.publishAsync(
    'agentos/v1/agents/lamp-1/hello',
    JSON.stringify({ kind: 'device', capabilities: ['light.set'] }),
    { qos: 1 },
  );
  await dev.publishAsync('agentos/v1/agents/lamp-1/telemetry', JSON.stringify({ values: { powerW: 7.5 } }));
  await waitFor(() => model.agents.get('lamp-1')?.telemetry?.powerW === 7.5, 20_000, 'telemetry live in the model');
  await waitFor(() => model.agents.get('lamp-1')?.status === 'online', 20_000, 'status live');
  await waitFor(() => model.agents.get('lamp-1')?.capabilities?.includes('light.set'), 20_000, 'agent table refresh');

  const admin = await access.credentials.add({ id: 'alice', kind: 'operator', role: 'admin' });
  const api = await ApiClient.connect({ url: gw.url, username: 'alice', password: admin.secret });
  t.teardown(() => api.close());
  const taskId = 'dash-t1';
  await api.call('tasks.submit', { taskId, capability: 'light.set', estDurationMs: 100 });
  await waitFor(() => model.tasks.get(taskId), 20_000, 'task state live in the model');
  t.ok(
    model.events.some((e: { text: string }) => e.text === 'connected to the gateway'),
    'event log',
  );
  t.same(model.statusCounts(), { online: 1, busy: 0, offline: 0, failed: 0 });
});

t.test('over TLS: the page on the secure WebSocket port, and the model logs in there', async (t) => {
  const certs = join(await tempDir(t, 'agentos-dash-tls-'), 'certs');
  await createSiteCertificates({ dir: certs, siteName: 'test-site', serverName: 'server', altNames: ['127.0.0.1'] });
  const gw = await startGateway(t, {
    config: {
      broker: { host: '127.0.0.1', port: 0, wsPort: null },
      security: { devMode: false, certsDir: certs, tls: { port: null, wsPort: 0 } },
    },
  });
  const access = gw.gateway.context.access as SecureAccess;
  const wss = access.guard.urls().wss ?? '';
  const ca = await readFile(join(certs, 'ca.crt'));
  const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    httpsRequest(`${wss.replace(/^wss/, 'https')}/`, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    })
      .on('error', reject)
      .end();
  });
  t.equal(page.status, 200, 'the page over HTTPS');
  t.match(page.body, /AgentOS Edge/);
  const viewer = await access.credentials.add({ id: 'victor', kind: 'operator', role: 'viewer' });
  const connect = (url: string, opts: object) => mqtt.connect(url, { ...opts, ca });
  const model = new DashboardModel({ connect, url: wss, username: 'victor', password: viewer.secret });
  t.teardown(() => model.stop());
  await model.start();
  t.equal(model.health.gatewayId, 'gw-test', 'logged in over wss');
});

// Who may call the model methods on a secure gateway (runtime/security/acl-rules.ts): model.status only reads, so a
// viewer may call it; model.retrain changes the running policy, so, like ota.start, only an administrator may: the
// broker disconnects a viewer publishing the request, and an administrator's request reaches the handler.
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { SecureAccess } from '../../runtime/security/secure-access.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import { closed, connectClient } from '../security/harness.js';

t.test('model.status for viewers, model.retrain for administrators', async (t) => {
  const gw = await startGateway(t, { config: { security: { devMode: false } } });
  const access = gw.gateway.context.access as SecureAccess;
  const viewer = await access.credentials.add({ id: 'victor', kind: 'operator', role: 'viewer' });
  const admin = await access.credentials.add({ id: 'alice', kind: 'operator', role: 'admin' });

  const v = await ApiClient.connect({ url: gw.url, username: 'victor', password: viewer.secret, timeoutMs: 15_000 });
  t.teardown(() => v.close());
  t.match(await v.call('model.status'), { policy: 'rl', source: 'shipped' }, 'a viewer reads the model status');
  const raw = await connectClient(gw.url, { clientId: 'victor:raw', username: 'victor', password: viewer.secret });
  t.teardown(() => raw.end(true));
  const gone = closed(raw);
  raw.publish('agentos/v1/api/model.retrain', JSON.stringify({ id: 'r1', replyTo: 'agentos/v1/replies/victor' }));
  await gone;
  t.pass('a viewer asking for a retrain is disconnected');

  const a = await ApiClient.connect({ url: gw.url, username: 'alice', password: admin.secret, timeoutMs: 60_000 });
  t.teardown(() => a.close());
  // no task has run yet, so there is no trace: the handler answers why it cannot retrain
  t.match(await errorBody(a.call('model.retrain', { episodes: 0 })), {
    code: 'unavailable',
    message: /retrain failed: site trace .*: no site-trace\*\.json files in the directory/,
  });
  t.match(await a.call('model.status'), { retrain: { retrains: 1, failed: 1 } }, 'an administrator may retrain');
});

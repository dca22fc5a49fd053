// Mailboxes with their real on-disk queues and a routing table standing in for the registry: delivery to an agent
// that was offline (across a new Mailboxes instance, as after a gateway restart), ack, bounded queue, capability
// fan-out, request/reply and the timeout that names the request. The MQTT path is in mailbox-mqtt.test.ts.
import { appendFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { MailEnvelope } from '../../runtime/kernel/mailbox/envelope.js';
import { Mailboxes, type MailboxRouting } from '../../runtime/kernel/mailbox/mailboxes.js';
import { tempDir } from './fixtures.js';

class Table implements MailboxRouting {
  online = new Set<string>();
  caps = new Map<string, string[]>();
  delivered: MailEnvelope[] = [];
  constructor(ids: Record<string, string[]>) {
    for (const [id, c] of Object.entries(ids)) this.caps.set(id, c);
  }
  knows(id: string) {
    return this.caps.has(id);
  }
  isOnline(id: string) {
    return this.online.has(id);
  }
  withCapability(cap: string) {
    return [...this.caps].filter(([, c]) => c.includes(cap)).map(([id]) => id);
  }
  deliver(env: MailEnvelope) {
    this.delivered.push(env);
  }
}

t.test('a message to an offline agent waits on disk and is delivered when it comes back', async (t) => {
  const tmp = tempDir('mailbox');
  t.teardown(tmp.remove);
  const table = new Table({ planner: ['plan.route'], arm: ['move.to'] });
  const first = new Mailboxes({ dataDir: tmp.dir, routing: table });
  await first.start();
  first.send({ from: 'planner', to: 'arm', subject: 'go', body: { x: 1 }, messageId: 'm1' });
  first.send({ from: 'planner', to: 'arm', body: { x: 2 }, messageId: 'm2' });
  first.send({ from: 'planner', to: 'arm', body: { x: 2 }, messageId: 'm2' });
  t.equal(table.delivered.length, 0, 'nothing delivered while offline');
  await first.stop();
  // a new instance on the same data dir, as after a gateway restart
  const second = new Mailboxes({ dataDir: tmp.dir, routing: table });
  await second.start();
  t.teardown(() => second.stop());
  t.equal(second.waiting('arm'), 2, 'the resend of m2 was accepted once');
  table.online.add('arm');
  second.agentOnline('arm');
  t.same(
    table.delivered.map((e) => [e.messageId, e.from, e.to, e.body]),
    [
      ['m1', 'planner', 'arm', { x: 1 }],
      ['m2', 'planner', 'arm', { x: 2 }],
    ],
  );
  t.equal(table.delivered[0]?.subject, 'go');
  second.agentOnline('arm');
  t.equal(table.delivered.length, 4, 'unacknowledged messages are delivered again on the next online');
  t.equal(second.ack('arm', ['m1', 'm2']), 2);
  t.equal(second.waiting('arm'), 0);
  t.throws(() => second.send({ from: 'planner', to: 'ghost', body: 1 }), { code: 'not_found' });
});

t.test('an agent nobody wrote to gets no queue: no journal file, nothing open, until a message arrives', async (t) => {
  const tmp = tempDir('mailbox-none');
  t.teardown(tmp.remove);
  const table = new Table({ a: [], b: [] });
  const mb = new Mailboxes({ dataDir: tmp.dir, routing: table });
  await mb.start();
  t.teardown(() => mb.stop());
  table.online.add('b');
  mb.agentOnline('b');
  t.equal(mb.ack('b', ['nothing']), 0, 'an ack with no mailbox removes nothing');
  t.equal(mb.waiting('b'), 0);
  t.same(readdirSync(join(tmp.dir, 'mailbox')), [], 'hello, ack and waiting created no journal');
  mb.send({ from: 'a', to: 'b', body: 1, messageId: 'm1' });
  t.ok(existsSync(join(tmp.dir, 'mailbox', 'b.jsonl')), 'the first message creates the journal');
  t.same(
    table.delivered.map((e) => e.messageId),
    ['m1'],
    'and is delivered to the online agent',
  );
});

t.test('the queue is bounded: a full mailbox refuses new messages and keeps the old', async (t) => {
  const tmp = tempDir('mailbox-full');
  t.teardown(tmp.remove);
  const table = new Table({ a: [], b: [] });
  const mb = new Mailboxes({ dataDir: tmp.dir, routing: table, limits: { queueLengthMax: 3, bodyBytesMax: 100 } });
  await mb.start();
  for (let i = 0; i < 3; i++) mb.send({ from: 'a', to: 'b', body: i });
  t.throws(() => mb.send({ from: 'a', to: 'b', body: 3 }), {
    code: 'limit_reached',
    message: /mailbox of agent b is full \(queueLengthMax 3\)/,
  });
  t.throws(() => mb.send({ from: 'a', to: 'a', body: 'x'.repeat(200) }), { code: 'too_large' });
  t.equal(mb.waiting('b'), 3);
});

t.test('send to all agents with a capability', async (t) => {
  const tmp = tempDir('mailbox-cap');
  t.teardown(tmp.remove);
  const table = new Table({ l1: ['light.set'], l2: ['light.set'], tv: ['media.play'], ctl: ['light.set'] });
  table.online.add('l1');
  const mb = new Mailboxes({ dataDir: tmp.dir, routing: table });
  await mb.start();
  const r = mb.sendToCapability({ from: 'ctl', capability: 'light.set', body: { on: true } });
  t.same(r.sent.map((s) => s.to).sort(), ['l1', 'l2'], 'the sender is not its own recipient');
  t.same(r.refused, []);
  t.same(
    table.delivered.map((e) => e.to),
    ['l1'],
    'the online one now',
  );
  t.equal(mb.waiting('l2'), 1, 'the offline one later');
  t.throws(() => mb.sendToCapability({ from: 'ctl', capability: 'fly', body: 1 }), { code: 'not_found' });
});

t.test('request/reply, and a timeout whose error names the request', async (t) => {
  const tmp = tempDir('mailbox-req');
  t.teardown(tmp.remove);
  const table = new Table({ vision: ['vision.detect'] });
  table.online.add('vision');
  const mb = new Mailboxes({ dataDir: tmp.dir, routing: table });
  await mb.start();
  t.teardown(() => mb.stop());
  const reply = mb.request({ from: 'gw', to: 'vision', subject: 'detect', body: { img: 'a.png' }, timeoutMs: 5000 });
  const req = table.delivered.at(-1)!;
  t.equal(req.expectsReply, true);
  t.ok(req.expiresAtMs! > Date.now());
  mb.ack('vision', [req.messageId]);
  mb.send({ from: 'vision', to: 'gw', inReplyTo: req.messageId, body: { objects: 2 } });
  t.same((await reply).body, { objects: 2 });
  table.online.delete('vision');
  await t.rejects(
    mb.request({ from: 'gw', to: 'vision', subject: 'detect', body: {}, messageId: 'r-7', timeoutMs: 50 }),
    {
      code: 'timeout',
      message: 'Timeout after 50 ms [request=r-7 to=vision subject=detect]',
    },
  );
  // the stale request is not delivered once the agent is back: its requester gave up
  await new Promise((r) => setTimeout(r, 5));
  table.online.add('vision');
  const before = table.delivered.length;
  mb.agentOnline('vision');
  t.equal(table.delivered.length, before, 'expired request dropped');
  t.equal(mb.waiting('vision'), 0);
});

t.test('the journal survives a torn last line and is compacted once mostly acknowledged', async (t) => {
  const tmp = tempDir('mailbox-journal');
  t.teardown(tmp.remove);
  const table = new Table({ a: [], b: [] });
  const first = new Mailboxes({ dataDir: tmp.dir, routing: table, limits: { queueLengthMax: 10000 } });
  await first.start();
  for (let i = 0; i < 600; i++) first.send({ from: 'a', to: 'b', body: 'x'.repeat(200), messageId: `m${i}` });
  first.ack(
    'b',
    Array.from({ length: 599 }, (_, i) => `m${i}`),
  );
  await first.stop();
  const path = join(tmp.dir, 'mailbox', 'b.jsonl');
  t.ok(statSync(path).size < 4096, 'compacted to the one waiting message');
  appendFileSync(path, '{"add":{"messageId":"torn"');
  const second = new Mailboxes({ dataDir: tmp.dir, routing: table });
  await second.start();
  t.teardown(() => second.stop());
  t.equal(second.waiting('b'), 1);
  second.send({ from: 'a', to: 'b', body: 1, messageId: 'after' });
  t.equal(second.waiting('b'), 2, 'appends after the cut are readable');
  t.throws(() => second.send({ from: 'c', to: 'b', body: 1, messageId: 'after' }), { code: 'bad_message' });
});

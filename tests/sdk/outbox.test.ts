// The durable outbox on a real file: survives a reopen, cuts a torn line, compacts, and both full policies.
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Outbox, OutboxFullError } from '../../sdk/outbox.js';

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'agentos-outbox-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('pending messages survive a reopen; acknowledged ones do not; a torn line is cut', async (t) => {
  const d = dir(t);
  const a = new Outbox({ dir: d });
  a.open();
  const m1 = a.add('x/telemetry', '{"v":1}');
  const m2 = a.add('x/telemetry', '{"v":2}');
  a.add('x/state', '{"v":3}', 'fixed-id');
  a.ack(m1.id);
  a.close();
  appendFileSync(join(d, 'outbox.jsonl'), '{"a":"add","id":"torn","t":"x","p":"{');
  const b = new Outbox({ dir: d });
  const pending = b.open();
  t.same(
    pending.map((m) => [m.id, m.topic, m.payload]),
    [
      [m2.id, 'x/telemetry', '{"v":2}'],
      ['fixed-id', 'x/state', '{"v":3}'],
    ],
  );
  t.not(b.nextId().split('-')[0], m1.id.split('-')[0], 'a new open uses a new id prefix');
  b.add('x/telemetry', '{"v":4}');
  b.close();
  const c = new Outbox({ dir: d });
  t.equal(c.open().length, 3, 'the file is usable after the cut');
  c.close();
});

t.test('reject policy keeps every accepted message; drop-oldest makes room', async (t) => {
  const d = dir(t);
  const r = new Outbox({ dir: join(d, 'r'), messagesMax: 2 });
  r.open();
  r.add('t', 'a');
  r.add('t', 'b');
  t.throws(() => r.add('t', 'c'), OutboxFullError);
  t.equal(r.size, 2);
  r.close();
  const b = new Outbox({ dir: join(d, 'b'), bytesMax: 10 });
  b.open();
  t.throws(() => b.add('t', 'x'.repeat(11)), /larger than the outbox/);
  b.close();
  const o = new Outbox({ dir: join(d, 'o'), messagesMax: 2, onFull: 'drop-oldest' });
  o.open();
  o.add('t', 'a', 'A');
  o.add('t', 'b', 'B');
  o.add('t', 'c', 'C');
  t.same(
    o.list().map((m) => m.id),
    ['B', 'C'],
  );
  t.equal(o.dropped, 1);
  o.close();
  const again = new Outbox({ dir: join(d, 'o') });
  t.same(
    again.open().map((m) => m.id),
    ['B', 'C'],
  );
  again.close();
});

t.test('the file is compacted once mostly acknowledged', async (t) => {
  const d = dir(t);
  const o = new Outbox({ dir: d, compactBytesMin: 4096, fsync: 'never' });
  o.open();
  for (let i = 0; i < 200; i++) o.ack(o.add('agentos/v1/agents/a/telemetry', JSON.stringify({ i })).id);
  o.add('t', 'keep', 'K');
  t.ok(statSync(join(d, 'outbox.jsonl')).size < 4096 * 2, 'bounded file');
  o.close();
  const again = new Outbox({ dir: d });
  t.same(
    again.open().map((m) => m.id),
    ['K'],
  );
  again.close();
});

// The linearizability checker must accept linearizable histories and reject non-linearizable ones; otherwise a green
// simulation proves nothing.
import t from 'tap';
import type { KvInput, KvOutput } from '../../runtime/cluster/sim/kv.js';
import { type KvOperation, kvModel } from '../../runtime/cluster/sim/kv-model.js';
import { checkOperations } from '../../runtime/cluster/sim/linearizability.js';

const op = (
  clientId: number,
  input: KvInput,
  output: KvOutput | undefined,
  call: number,
  ret: number,
): KvOperation => ({
  clientId,
  input,
  output,
  call,
  ret,
});
const put = (value: string) => ({ op: 'put' as const, key: 'x', value });
const get = { op: 'get' as const, key: 'x' };

t.test('accepts a sequential history', (t) => {
  t.equal(checkOperations(kvModel, [op(0, put('1'), 'ok', 0, 1), op(0, get, '1', 2, 3)]), 'ok');
  t.end();
});

t.test('rejects a stale read after a completed write', (t) => {
  const h = [op(0, put('1'), 'ok', 0, 5), op(0, put('2'), 'ok', 6, 10), op(1, get, '1', 11, 15)];
  t.equal(checkOperations(kvModel, h), 'illegal');
  t.end();
});

t.test('accepts reads that overlap a write and see either value, in a consistent order', (t) => {
  const h = [op(0, put('1'), 'ok', 0, 10), op(1, get, null, 1, 4), op(2, get, '1', 2, 3)];
  t.equal(checkOperations(kvModel, h), 'ok');
  t.end();
});

t.test('rejects two reads that see the overlapping write in opposite orders', (t) => {
  // r1 sees the new value and returns before r2 starts, yet r2 sees the old one.
  const h = [op(0, put('1'), 'ok', 0, 100), op(1, get, '1', 1, 2), op(2, get, null, 3, 4)];
  t.equal(checkOperations(kvModel, h), 'illegal');
  t.end();
});

t.test('compare-and-set outcomes must agree with the order', (t) => {
  const cas = (from: string | null, to: string) => ({ op: 'cas' as const, key: 'x', from, to });
  t.equal(
    checkOperations(kvModel, [op(0, cas(null, 'a'), true, 0, 1), op(1, cas(null, 'b'), true, 2, 3)]),
    'illegal',
    'two sequential swaps from empty cannot both succeed',
  );
  t.equal(
    checkOperations(kvModel, [
      op(0, cas(null, 'a'), true, 0, 10),
      op(1, cas(null, 'b'), false, 1, 9),
      op(2, get, 'a', 11, 12),
    ]),
    'ok',
  );
  t.end();
});

t.test('an operation with an unknown outcome may take effect late, or never', (t) => {
  const lost = op(0, put('9'), undefined, 0, Infinity);
  t.equal(checkOperations(kvModel, [lost, op(1, get, null, 5, 6)]), 'ok', 'never applied');
  t.equal(checkOperations(kvModel, [lost, op(1, get, '9', 5, 6)]), 'ok', 'applied');
  t.equal(
    checkOperations(kvModel, [lost, op(1, get, '9', 5, 6), op(1, get, null, 7, 8)]),
    'illegal',
    'but once seen it cannot disappear',
  );
  t.end();
});

t.test('keys are independent', (t) => {
  const py = { op: 'put' as const, key: 'y', value: '1' };
  const gy = { op: 'get' as const, key: 'y' };
  t.equal(
    checkOperations(kvModel, [
      op(0, put('1'), 'ok', 0, 1),
      op(0, py, 'ok', 2, 3),
      op(1, gy, '1', 4, 5),
      op(1, get, '1', 6, 7),
    ]),
    'ok',
  );
  t.equal(checkOperations(kvModel, [op(0, py, 'ok', 0, 1), op(1, gy, null, 4, 5)]), 'illegal');
  t.end();
});

t.test('a larger concurrent history with a planted stale read is rejected', (t) => {
  const h: KvOperation[] = [];
  let time = 0;
  for (let i = 0; i < 40; i++) {
    // Three clients overlap: a write and two reads per round, all consistent.
    const w = op(0, put(String(i)), 'ok', time, time + 3);
    const r1 = op(1, get, i === 0 ? null : String(i - 1), time + 1, time + 2);
    const r2 = op(2, get, String(i), time + 4, time + 5);
    h.push(w, r1, r2);
    time += 6;
  }
  t.equal(checkOperations(kvModel, h), 'ok');
  h.push(op(1, get, '3', time + 1, time + 2));
  t.equal(checkOperations(kvModel, h), 'illegal');
  t.end();
});

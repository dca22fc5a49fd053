// The coarse clock: one Date.now() reading shared by the reads of a few milliseconds while running, a plain
// Date.now() outside start()..stop(), and nothing left armed after stop().
import t from 'tap';
import { CoarseClock } from '../../runtime/util/coarse-clock.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('reads share one value while it is fresh, then move on', async (t) => {
  const clock = new CoarseClock(5);
  await clock.start();
  t.teardown(() => clock.stop());
  const before = Date.now();
  const first = clock.now();
  const reads = Array.from({ length: 1000 }, () => clock.now());
  t.ok(
    reads.every((r) => r === first),
    'synchronous reads return the cached value',
  );
  t.ok(first >= before && first <= Date.now(), 'the value is a real wall-clock reading');
  const later = await waitFor(() => (clock.now() > first ? clock.now() : 0), 10000, 'a newer reading');
  t.ok(later > first);
});

t.test('outside start()..stop() every read is Date.now(); stop() leaves no timer', async (t) => {
  const clock = new CoarseClock();
  const a = clock.now();
  t.ok(a <= Date.now());
  await clock.start();
  clock.now();
  await clock.stop();
  await clock.stop();
  t.same(
    process.getActiveResourcesInfo().filter((r) => r === 'Timeout'),
    [],
    'no timeout armed after stop',
  );
  const b = clock.now();
  t.ok(b >= a, 'reads after stop still work');
  t.throws(() => new CoarseClock(0), TypeError, 'a resolution of 0 is refused');
});

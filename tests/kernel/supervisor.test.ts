// The supervisor against real child processes: restart policies, backoff and the crash-loop limit, the memory limit,
// SIGTERM then SIGKILL, logs, cpu/rss sampling and agents coming back after a supervisor restart.
import { existsSync } from 'node:fs';
import t, { type Test } from 'tap';
import { Supervisor } from '../../runtime/kernel/supervisor/supervisor.js';
import { quietLogger, tempDir, waitFor, writeAgent } from './fixtures.js';

const fast = { backoffInitialMs: 50, backoffMaxMs: 400, crashLoopWindowMs: 60000 };

async function withSupervisor(
  t: Test,
  extra: Partial<ConstructorParameters<typeof Supervisor>[0]> = {},
): Promise<{ sup: Supervisor; root: string }> {
  const tmp = tempDir('sup');
  const sup = new Supervisor({ dataDir: tmp.dir, logger: quietLogger, pollMs: 100, ...extra });
  await sup.start();
  t.teardown(async () => {
    await sup.stop();
    tmp.remove();
  });
  return { sup, root: tmp.dir };
}

t.test('on-failure restarts with backoff until the crash-loop limit, then failed', async (t) => {
  const { sup, root } = await withSupervisor(t);
  const dir = writeAgent(
    root,
    { name: 'crasher', restart: { policy: 'on-failure', crashLoopMax: 3, ...fast } },
    'console.log("up"); setTimeout(() => process.exit(3), 30);',
  );
  await sup.install(dir);
  const info = await waitFor(() => {
    const i = sup.get('crasher');
    return i?.status === 'failed' ? i : null;
  }, 'crash loop');
  t.equal(info.restarts, 3, 'restarted crashLoopMax times');
  t.match(info.reason, /crash loop: 3 restarts within 60000 ms, last exited with code 3/);
  t.equal(info.pid, null);
  t.equal(sup.logs('crasher').filter((l) => l.includes(' out up')).length, 4, 'four runs logged');
});

t.test('always restarts a clean exit; never does not restart a failure', async (t) => {
  const { sup, root } = await withSupervisor(t);
  const always = writeAgent(
    root,
    { name: 'always', restart: { policy: 'always', crashLoopMax: 100, ...fast } },
    'setTimeout(() => process.exit(0), 20);',
  );
  const never = writeAgent(root, { name: 'never', restart: { policy: 'never' } }, 'process.exit(7);');
  const once = writeAgent(root, { name: 'once', restart: { policy: 'on-failure' } }, 'process.exit(0);');
  await sup.install(always);
  await sup.install(never);
  await sup.install(once);
  await waitFor(() => (sup.get('always')?.restarts ?? 0) >= 2, 'always restarts');
  const n = await waitFor(() => (sup.get('never')?.status === 'failed' ? sup.get('never') : null), 'never fails');
  t.equal(n.restarts, 0);
  t.equal(n.reason, 'exited with code 7');
  const o = await waitFor(() => (sup.get('once')?.status === 'stopped' ? sup.get('once') : null), 'once stops');
  t.equal(o.restarts, 0, 'on-failure does not restart a clean exit');
});

t.test('over the memory limit the agent is killed and marked failed with the reason', async (t) => {
  const { sup, root } = await withSupervisor(t);
  // Buffers live outside the V8 heap, so only the RSS watch can catch this one
  const dir = writeAgent(
    root,
    { name: 'hog', limits: { memoryMb: 96 }, restart: { policy: 'never' } },
    'const keep = []; setInterval(() => keep.push(Buffer.alloc(8 * 1024 * 1024, 1)), 20);',
  );
  await sup.install(dir);
  const info = await waitFor(() => (sup.get('hog')?.status === 'failed' ? sup.get('hog') : null), 'hog killed');
  t.match(info.reason, /^memory limit exceeded: rss [\d.]+ MiB > limit 96 MiB$/);
});

t.test('a V8 heap over the limit ends the agent with a heap-limit reason', async (t) => {
  const { sup, root } = await withSupervisor(t, { pollMs: 60000 });
  const dir = writeAgent(
    root,
    { name: 'heap', limits: { memoryMb: 32 }, restart: { policy: 'never' } },
    'const keep = []; setInterval(() => { for (let i = 0; i < 20000; i++) keep.push({ i, s: "x" + i }); }, 1);',
  );
  await sup.install(dir);
  const info = await waitFor(() => (sup.get('heap')?.status === 'failed' ? sup.get('heap') : null), 'heap oom');
  t.match(info.reason, /memory limit exceeded: V8 heap limit 32 MiB reached/);
});

t.test('stop sends SIGTERM, then SIGKILL after the grace period', async (t) => {
  const { sup, root } = await withSupervisor(t);
  const polite = writeAgent(
    root,
    { name: 'polite' },
    'console.log("ready"); process.on("SIGTERM", () => { console.log("bye"); process.exit(0); }); setInterval(() => {}, 1000);',
  );
  const stubborn = writeAgent(
    root,
    { name: 'stubborn', stopGraceMs: 200 },
    'console.log("ready"); process.on("SIGTERM", () => console.log("ignoring")); setInterval(() => {}, 1000);',
  );
  await sup.install(polite);
  await sup.install(stubborn);
  await waitFor(() => sup.logs('polite').some((l) => l.endsWith('out ready')), 'polite ready');
  await waitFor(() => sup.logs('stubborn').some((l) => l.endsWith('out ready')), 'stubborn ready');
  const p = await sup.stopAgent('polite');
  t.equal(p.status, 'stopped');
  t.ok(
    sup.logs('polite').some((l) => l.endsWith('out bye')),
    'polite handled SIGTERM',
  );
  const s = await sup.stopAgent('stubborn');
  t.equal(s.status, 'stopped');
  t.match(s.reason, /killed by SIGKILL/);
  t.ok(
    sup.logs('stubborn').some((l) => l.includes('SIGKILL')),
    'SIGKILL logged',
  );
  const again = await sup.restartAgent('polite');
  t.equal(again.status, 'running');
});

t.test('cpu% and rss are sampled from /proc', async (t) => {
  const { sup, root } = await withSupervisor(t);
  const dir = writeAgent(
    root,
    { name: 'busy' },
    'setInterval(() => { const e = Date.now() + 40; while (Date.now() < e); }, 50);',
  );
  await sup.install(dir);
  const info = await waitFor(() => {
    const i = sup.get('busy');
    return i && i.cpuPct > 5 && i.rssBytes > 1024 * 1024 ? i : null;
  }, 'cpu and rss samples');
  t.ok(info.pid !== null && info.pid > 0);
});

t.test('logs rotate and stay bounded', async (t) => {
  const { sup, root } = await withSupervisor(t, { logBytesMax: 4096, logFilesMax: 2 });
  const dir = writeAgent(
    root,
    { name: 'chatty', restart: { policy: 'never' } },
    'for (let i = 0; i < 2000; i++) console.log("line " + i);',
  );
  await sup.install(dir);
  await waitFor(() => sup.get('chatty')?.status === 'stopped', 'chatty ends');
  const tail = sup.logs('chatty', 10000);
  t.ok(tail.length > 10 && tail.length < 200, `bounded tail (${tail.length} lines)`);
  t.ok(
    tail.some((l) => l.endsWith('out line 1999')),
    'newest line kept',
  );
  t.notOk(
    tail.some((l) => l.endsWith('out line 0')),
    'oldest line rotated away',
  );
  t.notOk(existsSync(`${root}/kernel/logs/chatty.log.2`), 'no third file');
});

t.test('installed agents come back after a supervisor restart; a stopped one stays stopped', async (t) => {
  const tmp = tempDir('sup-restart');
  t.teardown(tmp.remove);
  const a = writeAgent(tmp.dir, { name: 'keeper' }, 'setInterval(() => {}, 1000);');
  const b = writeAgent(tmp.dir, { name: 'parked' }, 'setInterval(() => {}, 1000);');
  const first = new Supervisor({ dataDir: tmp.dir, logger: quietLogger });
  await first.start();
  await first.install(a);
  await first.install(b);
  await first.stopAgent('parked');
  await first.stop();
  await first.stop();
  const second = new Supervisor({ dataDir: tmp.dir, logger: quietLogger });
  await second.start();
  t.teardown(() => second.stop());
  t.equal(second.get('keeper')?.status, 'running');
  t.equal(second.get('parked')?.status, 'stopped');
});

t.test('install rejects a bad manifest naming each field', async (t) => {
  const { sup, root } = await withSupervisor(t);
  const dir = writeAgent(
    root,
    { name: 'Bad Name', entry: '../escape.mjs', limits: { memoryMb: 1 }, restart: { policy: 'sometimes' }, colour: 1 },
    '',
  );
  const err = await sup.install(dir).then(
    () => null,
    (e: Error) => e.message,
  );
  t.match(err, /\/name must match pattern/);
  t.match(err, /\/limits\/memoryMb must be >= 16/);
  t.match(err, /\/restart\/policy must be one of always, on-failure, never/);
  t.match(err, /\/colour is not a known field/);
  writeAgent(root, { name: 'other' }, '');
  const escaping = writeAgent(root, { name: 'escape', entry: '../other/main.mjs' }, '');
  await t.rejects(sup.install(escaping), /\/entry \.\.\/other\/main\.mjs resolves outside the agent folder/);
  await t.rejects(sup.stopAgent('nobody'), /no installed agent named "nobody"/);
});

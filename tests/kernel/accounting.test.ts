// Resource accounting: rates over a window, reported use, software agents' /proc samples from a real child
// process, gateway totals and the scheduler's view.
import { spawn } from 'node:child_process';
import t from 'tap';
import { ResourceAccounting } from '../../runtime/kernel/accounting/resource-accounting.js';
import { ProcMeter } from '../../runtime/kernel/supervisor/proc-stats.js';
import { waitFor } from './fixtures.js';

t.test('message and byte rates per agent and in total', async (t) => {
  const acc = new ResourceAccounting();
  acc.tick(1000);
  for (let i = 0; i < 10; i++) acc.countIn('lamp', 100);
  acc.countOut('lamp', 50);
  acc.countIn('tv', 10);
  acc.tick(3000);
  const lamp = acc.agent('lamp')!;
  t.equal(lamp.msgsInPerS, 5);
  t.equal(lamp.bytesInPerS, 500);
  t.equal(lamp.msgsOutPerS, 0.5);
  t.equal(lamp.bytesOutPerS, 25);
  t.equal(lamp.msgsIn, 10);
  acc.tick(4000);
  t.equal(acc.agent('lamp')!.msgsInPerS, 0, 'a quiet window has rate 0');
  acc.countIn('tv', 10);
  acc.tick(5000);
  const totals = acc.totals();
  t.equal(totals.agents, 2);
  t.equal(totals.msgsInPerS, 1);
  t.equal(totals.bytesInPerS, 10);
  t.ok(totals.gatewayRssBytes > 0, 'the gateway process itself is measured');
});

t.test('reported use, battery and the scheduler view', async (t) => {
  const acc = new ResourceAccounting();
  acc.reportUse('robot', { cpu: 0.5, memoryMb: 256, battery: 0.42 });
  acc.countIn('robot', 1000);
  acc.tick(Date.now() + 1000);
  const u = acc.agent('robot')!;
  t.equal(u.cpuPct, 50);
  t.equal(u.battery, 0.42);
  const v = acc.observedUse('robot');
  t.equal(v.cpu, 0.5);
  t.equal(v.memoryMb, 256);
  t.equal(v.battery, 0.42);
  t.ok(v.bandwidthKbps! > 0);
  t.same(acc.observedUse('nobody'), {});
});

t.test('software agents: cpu and rss from /proc of a real process', async (t) => {
  const child = spawn(process.execPath, [
    '-e',
    'setInterval(() => { const e = Date.now() + 30; while (Date.now() < e); }, 40)',
  ]);
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const meter = new ProcMeter(child.pid!);
  const acc = new ResourceAccounting({
    windowMs: 100,
    processes: () => {
      meter.sample();
      return [{ name: 'busy', pid: child.pid!, cpuPct: meter.cpuPct, rssBytes: meter.rssBytes }];
    },
  });
  await acc.start();
  t.teardown(() => acc.stop());
  const u = await waitFor(() => {
    const a = acc.agent('busy');
    return a && (a.cpuPct ?? 0) > 5 && (a.rssBytes ?? 0) > 1e6 ? a : null;
  }, 'cpu and rss of the busy child');
  t.ok(u.cpuPct! <= 200, 'cpu% of one process on 2 cores stays plausible');
  t.ok(acc.totals().agentsRssBytes >= u.rssBytes!);
});

t.test('rows are bounded by agentsMax', async (t) => {
  const acc = new ResourceAccounting({ agentsMax: 3 });
  for (const id of ['a', 'b', 'c', 'd']) acc.countIn(id, 1);
  t.equal(acc.agents().length, 3);
});

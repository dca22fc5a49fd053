// The agentos command from outside: --help on every command, one-line errors with a non-zero exit, and agents /
// status against a running gateway over its MQTT API.
import t from 'tap';
import { topics } from '../../runtime/bus/topics.js';
import { commands } from '../../runtime/cli/commands/index.js';
import { main } from '../../runtime/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

async function mainOut(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: {} });
  return { code, out, err };
}

t.test('--help on the command and on every subcommand', async (t) => {
  const top = await runCli(['--help']);
  t.equal(top.code, 0, 'the real process answers --help');
  for (const c of commands) t.match(top.stdout, c.name, `lists ${c.name}`);
  for (const c of commands) {
    const r = await mainOut([c.name, '--help']);
    t.equal(r.code, 0, `${c.name} --help exits 0`);
    t.match(r.out, new RegExp(`^usage: agentos ${c.name}`), `${c.name} --help shows usage`);
    for (const option of Object.keys(c.options))
      t.match(r.out, `--${option}`, `${c.name} --help documents --${option}`);
  }
  const none = await mainOut([]);
  t.equal(none.code, 2, 'no command: usage and exit 2');
});

t.test('errors are one line and a non-zero exit', async (t) => {
  const unknown = await mainOut(['frobnicate']);
  t.equal(unknown.code, 2);
  t.equal(unknown.err.trim().split('\n').length, 1);
  t.match(unknown.err, /unknown command "frobnicate"; valid: start, agents, status/);
  const badFlag = await mainOut(['agents', '--bogus']);
  t.equal(badFlag.code, 2);
  t.match(badFlag.err, /^agentos agents: error: usage: Unknown option '--bogus'/);
  const port = await freePort();
  const down = await runCli(['status', '--url', `mqtt://127.0.0.1:${port}`]);
  t.equal(down.code, 1);
  t.equal(down.stderr.trim().split('\n').length, 1);
  t.match(down.stderr, /^agentos status: error: cannot connect to mqtt:\/\/127\.0\.0\.1:\d+/);
});

t.test('agents list / show and status against a running gateway', async (t) => {
  const gw = await startGateway(t);
  const device = await connectMqtt(t, gw.url);
  await device.publishAsync(
    topics.agent('tv-1', 'hello'),
    '{"kind":"device","capabilities":["media.play","power.set"]}',
    { qos: 1 },
  );
  await device.publishAsync(topics.agent('bot-7', 'hello'), '{"kind":"robot","capabilities":["move.to"]}', { qos: 1 });
  await waitFor(() => gw.gateway.context.registry.size === 2, 10000, 'two agents');

  const list = await runCli(['agents', '--url', gw.url]);
  t.equal(list.code, 0);
  t.match(list.stdout, /^ID\s+KIND\s+STATUS\s+CAPABILITIES/);
  t.match(list.stdout, /tv-1\s+device\s+online\s+media\.play,power\.set/);
  t.match(list.stdout, /bot-7\s+robot\s+online\s+move\.to/);
  // the rest in-process (same code without a process start per call; the lines above cover the real process)
  const robots = await mainOut(['agents', 'list', '--kind', 'robot', '--json', '--url', gw.url]);
  t.same(
    JSON.parse(robots.out).map((a: { id: string }) => a.id),
    ['bot-7'],
  );
  const show = await mainOut(['agents', 'show', 'tv-1', '--url', gw.url]);
  t.equal(show.code, 0);
  t.match(JSON.parse(show.out), { id: 'tv-1', kind: 'device', status: 'online' });
  const missing = await mainOut(['agents', 'show', 'nope', '--url', gw.url]);
  t.equal(missing.code, 1);
  t.match(missing.err, /^agentos agents: error: agents\.get: agent nope is not registered\n$/);
  const status = await runCli(['status', '--url', gw.url]);
  t.equal(status.code, 0);
  t.match(status.stdout, /gateway gw-test: ok/);
  t.match(status.stdout, /agents: 2 \(online 2, busy 0, offline 0, failed 0\)/);
});

// Supervised software agents on a gateway process, driven by the `agentos agents` CLI: run the example planner (an
// SDK agent in TypeScript), see it in ps, use its capability through the mailbox, read its logs; kill -9 the gateway
// and start it again: the orphaned agent process is ended and the installed agent comes back; then stop it.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { main } from '../../runtime/cli/main.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { repoRoot } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);

/** the real `agentos` entry in its own process */
async function cliProcess(url: string, ...args: string[]): Promise<string> {
  const argv = ['--import', 'tsx', 'runtime/cli/agentos.ts', 'agents', ...args, '--url', url];
  const r = await run(process.execPath, argv, { cwd: repoRoot, timeout: 60000 });
  return r.stdout;
}

/** the same CLI in-process (runtime/cli/main.ts), which saves a process start per call; rejects on a non-zero exit */
async function cli(url: string, ...args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };
  const code = await main(['agents', ...args, '--url', url], io);
  if (code !== 0) throw new Error(`agentos agents ${args.join(' ')} exited ${code}: ${err.join(' ')}`);
  return out.join('\n');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

t.test('agents run/ps/logs/stop through the CLI, and back after a gateway kill -9', async (t) => {
  const dataDir = await tempDir(t, 'agentos-supgw-');
  const gw = await spawnGateway(t, { dataDir });
  const planner = resolve(repoRoot, 'examples/planner-agent');
  t.match(await cliProcess(gw.url, 'run', planner), /^planner: running pid \d+/);
  const ps = await waitFor(
    async () => {
      const out = await cli(gw.url, 'ps');
      return /planner\s+\d+\s+running\s+0\s+[\d.]+\s+[\d.]+\s+192/.test(out) ? out : null;
    },
    30000,
    'planner in ps',
  );
  const pid = Number(/planner\s+(\d+)/.exec(ps)?.[1]);
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 20000 });
  await waitFor(
    async () =>
      (await api.call<{ agent: { status: string } }>('agents.get', { agentId: 'planner' })).agent.status === 'online',
    30000,
    'planner online',
  );
  const route = await waitFor(
    () =>
      api.call<{ reply: { body: { steps: number } } }>('mailbox.request', {
        to: 'planner',
        subject: 'route',
        body: { from: { x: 0, y: 0 }, to: { x: 3, y: 2 }, blocked: [{ x: 1, y: 0 }] },
        timeoutMs: 5000,
      }),
    30000,
    'a route from the planner',
  );
  t.equal(route.reply.body.steps, 5, 'shortest path around the blocked cell');
  await api.close();
  t.match(await cli(gw.url, 'logs', 'planner', '50'), /out planner connected \(8x8 grid\)/);

  // kill -9: the gateway cannot stop its agent, which is left orphaned
  await gw.stop('SIGKILL');
  t.ok(alive(pid), 'the agent outlived its gateway');
  const again = await spawnGateway(t, { dataDir });
  const ps2 = await waitFor(
    async () => {
      const out = await cli(again.url, 'ps');
      const m = /planner\s+(\d+)\s+running/.exec(out);
      return m && Number(m[1]) !== pid ? out : null;
    },
    30000,
    'planner running again with a new pid',
  );
  t.ok(ps2);
  await waitFor(() => !alive(pid), 10000, 'the orphan was ended');
  t.match(await cli(again.url, 'stop', 'planner'), /^planner: stopped/);
  t.match(await cli(again.url, 'ps'), /planner\s+-\s+stopped/);
  await t.rejects(cli(again.url, 'stop', 'nobody'), /no installed agent named "nobody"/);
  await again.stop('SIGTERM');
});

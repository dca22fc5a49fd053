// Software-agent sandbox on real child node processes: an agent cannot read or write another agent's files, spawn
// a process or start a worker; it can use its own storage; without network it cannot reach a TCP server on the host.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  createSandboxArgs,
  permissionFlag,
  probeNetworkIsolation,
  sandboxedCommand,
  sandboxNodeArgs,
} from '../../runtime/security/sandbox.js';
import { type ProcessResult, runProcess } from '../helpers/run-process.js';

// The misbehaving agent: tries everything and reports each outcome as one JSON line.
const AGENT = `
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
const [otherFile, ownDir, otherDir, port] = process.argv.slice(2);
const r = {};
const attempt = (name, fn) => { try { fn(); r[name] = 'ok'; } catch (e) { r[name] = e.code ?? e.message; } };
attempt('readOther', () => readFileSync(otherFile));
attempt('writeOther', () => writeFileSync(otherDir + '/planted', 'x'));
attempt('readEtc', () => readFileSync('/etc/passwd'));
attempt('writeOwn', () => writeFileSync(ownDir + '/mine.txt', 'hello'));
attempt('readOwn', () => readFileSync(ownDir + '/mine.txt'));
attempt('spawn', () => { const x = spawnSync('/bin/sh', ['-c', 'echo pwned']); if (x.error) throw x.error; });
attempt('execFile', () => execFileSync('/bin/true'));
const { Worker } = await import('node:worker_threads');
attempt('worker', () => new Worker('1', { eval: true }));
r.net = await new Promise((res) => {
  const s = connect(Number(port), '127.0.0.1');
  s.on('error', (e) => res(e.code));
  s.on('connect', () => { s.destroy(); res('ok'); });
});
console.log(JSON.stringify(r));
`;

interface Setup {
  root: string;
  agentDir: string;
  entryPath: string;
  ownDir: string;
  otherDir: string;
  otherFile: string;
}

async function setup(): Promise<Setup> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'agentos-sbx-')));
  const agentDir = join(root, 'agents', 'snoop');
  const ownDir = join(root, 'storage', 'snoop', 'files');
  const otherDir = join(root, 'storage', 'vault', 'files');
  await Promise.all([agentDir, ownDir, otherDir].map((d) => mkdir(d, { recursive: true })));
  const entryPath = join(agentDir, 'agent.mjs');
  await writeFile(entryPath, AGENT);
  const otherFile = join(otherDir, 'secret.txt');
  await writeFile(otherFile, 'the other agent’s secret');
  return { root, agentDir, entryPath, ownDir, otherDir, otherFile };
}

function run(command: string, args: string[]): Promise<ProcessResult> {
  // a clean environment, as the supervisor gives; `env -u` because a test runner (tap's processinfo) re-adds its
  // NODE_OPTIONS hooks to every spawn, and those hooks need permissions a sandboxed agent does not have
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  return runProcess('env', ['-u', 'NODE_OPTIONS', command, ...args], { env });
}

t.test('permission flags', async (t) => {
  t.equal(permissionFlag('20.20.2'), '--experimental-permission');
  t.equal(permissionFlag('22.12.0'), '--permission');
  const target = { agentDir: '/a', entryPath: '/a/x.mjs', storageDir: '/s' };
  const args = sandboxNodeArgs(target);
  t.ok(args.includes('--allow-fs-write=/s'), 'writes only its storage');
  t.same(
    args.filter((a) => a.startsWith('--allow-fs-write')),
    ['--allow-fs-write=/s'],
  );
  t.notOk(
    args.some((a) => /child-process|worker|addons/.test(a)),
    'no child process, worker or addon grant',
  );
  t.same(createSandboxArgs()({}, target), args, 'the kernel-shaped SandboxArgs function gives the same flags');
  t.throws(
    () => sandboxNodeArgs({ ...target, entryPath: '/a/x.ts' }),
    /sandbox: \/a\/x\.ts is TypeScript; a sandboxed agent must be JavaScript/,
    'TypeScript entries are refused, not run unconfined (tsx needs worker threads)',
  );
});

t.test('a sandboxed agent cannot touch other agents or spawn; offline agents have no network', async (t) => {
  const s = await setup();
  t.teardown(() => rm(s.root, { recursive: true, force: true }));
  const server = createServer((c) => c.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = String((server.address() as { port: number }).port);
  const target = { agentDir: s.agentDir, entryPath: s.entryPath, storageDir: s.ownDir };
  const argv = [s.otherFile, s.ownDir, s.otherDir, port];

  const online = await sandboxedCommand(target, { needsNetwork: true, args: argv });
  const r1 = await run(online.command, online.args);
  t.equal(r1.code, 0, `agent ran (${r1.err.trim().split('\n')[0] ?? ''})`);
  const got = JSON.parse(r1.out) as Record<string, string>;
  t.equal(got['readOther'], 'ERR_ACCESS_DENIED', "reading another agent's file is denied");
  t.equal(got['writeOther'], 'ERR_ACCESS_DENIED', "planting a file in another agent's storage is denied");
  t.equal(got['readEtc'], 'ERR_ACCESS_DENIED', 'reading system files is denied');
  t.equal(got['spawn'], 'ERR_ACCESS_DENIED', 'spawning a process is denied');
  t.equal(got['execFile'], 'ERR_ACCESS_DENIED', 'exec is denied');
  t.equal(got['worker'], 'ERR_ACCESS_DENIED', 'worker threads are denied');
  t.equal(got['writeOwn'], 'ok', 'its own storage is writable');
  t.equal(got['readOwn'], 'ok', 'its own storage is readable');
  t.equal(got['net'], 'ok', 'an agent that asked for network has it (the permission model does not restrict it)');
  t.notOk(online.networkIsolated, 'reported as not network-isolated');
  t.equal(await readFile(join(s.otherDir, 'secret.txt'), 'utf8'), 'the other agent’s secret', 'victim intact');

  const iso = await probeNetworkIsolation();
  // this host runs tests as root or with user namespaces; if neither, the gap is real and must be seen, not skipped
  t.ok(iso.available, `network namespaces available here: ${iso.reason}`);
  const offline = await sandboxedCommand(target, { needsNetwork: false, args: argv });
  t.ok(offline.networkIsolated, `offline agent isolated: ${offline.note}`);
  const r2 = await run(offline.command, offline.args);
  t.equal(r2.code, 0, 'agent ran inside its network namespace');
  const got2 = JSON.parse(r2.out) as Record<string, string>;
  t.not(got2['net'], 'ok', `the host's loopback server is unreachable (${got2['net']})`);
  t.equal(got2['readOther'], 'ERR_ACCESS_DENIED', 'file limits still apply inside the namespace');
});

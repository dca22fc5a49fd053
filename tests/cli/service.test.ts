// agentos service install|uninstall|status (runtime/cli/service/): the generated unit passes `systemd-analyze verify`
// with nothing ignored, --dry-run prints the unit and the commands and changes nothing, the install steps as root in
// order (recorded by a host that runs nothing), the refusal without root names the sudo command, bad options name the
// flag, uninstall reverses install, status compares the installed unit with what install writes now.
import { accessSync, constants } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { makeServiceCommand } from '../../runtime/cli/commands/service.js';
import { GATEWAY_ENV, GATEWAY_V8_FLAGS } from '../../runtime/cli/gateway-process.js';
import { main } from '../../runtime/cli/main.js';
import type { RunResult, ServiceHost } from '../../runtime/cli/service/service-host.js';
import { renderUnit, type UnitSpec } from '../../runtime/cli/service/unit-file.js';
import { runCli } from '../helpers/cli.js';
import { runProcess } from '../helpers/run-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const ENTRY = '/opt/agentos/dist/runtime/cli/agentos.js';
const NODE = process.execPath;

/** systemd-analyze, or an error with the line that installs it (it is in Debian's systemd package) */
function systemdAnalyze(): string {
  for (const p of ['/usr/bin/systemd-analyze', '/bin/systemd-analyze']) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  throw new Error('systemd-analyze not found; install it with: sudo apt-get install -y systemd');
}

interface FakeHost {
  host: ServiceHost;
  /** every command run and file written or removed, in order */
  calls: string[];
  files: Map<string, string>;
}

/** a host that runs nothing: getent answers from the lists, systemctl show from `show`, everything else succeeds */
interface FakeOptions {
  root: boolean;
  /** systemd is the init system (default true) */
  systemd?: boolean;
  users?: string[];
  groups?: string[];
  files?: Record<string, string>;
  /** what `systemctl show` prints */
  show?: string;
}

function fakeHost(o: FakeOptions) {
  const calls: string[] = [];
  const files = new Map(Object.entries({ [ENTRY]: '// the bin', ...o.files }));
  const ok = (out = ''): RunResult => ({ code: 0, out, err: '' });
  const host: ServiceHost = {
    isRoot: () => o.root,
    systemdRunning: async () => o.systemd ?? true,
    readText: async (path) => files.get(path) ?? null,
    async run(argv) {
      calls.push(argv.join(' '));
      const [cmd, a, b] = argv;
      if (cmd === 'getent') {
        const known = (a === 'passwd' ? o.users : o.groups) ?? [];
        return known.includes(b ?? '') ? ok(`${b}:x:1:`) : { code: 2, out: '', err: '' };
      }
      if (cmd === 'systemctl' && a === 'show') return ok(o.show ?? '');
      return ok();
    },
    async writeText(path, text) {
      calls.push(`write ${path}`);
      files.set(path, text);
    },
    async remove(path) {
      calls.push(`remove ${path}`);
      files.delete(path);
    },
  };
  return { host, calls, files } satisfies FakeHost;
}

async function service(fake: FakeHost, argv: string[]) {
  let out = '';
  let err = '';
  const cmd = makeServiceCommand(() => ({ host: fake.host, nodePath: NODE, entryPath: ENTRY }));
  const io = { out: (l: string) => (out += `${l}\n`), err: (l: string) => (err += `${l}\n`), env: {} };
  const code = await main(['service', ...argv], io, [cmd]);
  return { code, out, err };
}

/** the calls that change something (getent and systemctl show only ask) */
const changes = (calls: readonly string[]) => calls.filter((c) => !/^(getent|systemctl show) /.test(c));

function spec(over: Partial<UnitSpec> = {}): UnitSpec {
  return {
    name: 'agentos',
    user: 'agentos',
    dataDir: '/var/lib/agentos',
    configFile: null,
    nodePath: NODE,
    entryPath: ENTRY,
    v8Flags: GATEWAY_V8_FLAGS,
    env: GATEWAY_ENV,
    groups: ['dialout'],
    lowPorts: [],
    memoryMax: '512M',
    protectHome: 'yes',
    installArgs: ['--name', 'agentos'],
    ...over,
  };
}

t.test('the unit passes systemd-analyze verify, nothing ignored', async (t) => {
  const analyze = systemdAnalyze();
  const dir = await tempDir(t, 'agentos-unit-');
  const verify = async (name: string, text: string) => {
    const file = join(dir, `${name}.service`);
    await writeFile(file, text);
    // --man=no: no man page look-ups; it checks ExecStart's binary (node, which exists) but not the user
    return runProcess(analyze, ['verify', '--man=no', file], { env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  };
  const variants: Record<string, UnitSpec> = {
    agentos: spec(),
    lowports: spec({ name: 'lowports', lowPorts: [443, 883], groups: ['dialout', 'bluetooth'] }),
    homes: spec({ name: 'homes', protectHome: 'read-only', groups: [], configFile: '/etc/agentos/config.yaml' }),
  };
  for (const [name, s] of Object.entries(variants)) {
    const r = await verify(name, renderUnit(s));
    t.equal(r.code, 0, `${name}: exit 0`);
    // verify exits 0 for lines it ignores (unknown key, bad value); they are on stderr
    t.equal(r.err.trim(), '', `${name}: no line ignored or complained about`);
  }
  const bad = await verify('bad', renderUnit(spec()).replace('MemoryMax=512M', 'MemoryMax=512M\nBogusKey=1'));
  t.match(bad.err, /Unknown key 'BogusKey'/, 'the check can fail: an unknown key is reported');

  const text = renderUnit(spec());
  const execStart = text.split('\n').find((l) => l.startsWith('ExecStart=')) ?? '';
  t.equal(
    execStart,
    `ExecStart=${[NODE, ...GATEWAY_V8_FLAGS, ENTRY, 'start', '--data-dir', '/var/lib/agentos'].join(' ')}`,
    'ExecStart: node, the flags of gateway-process.ts, the built bin, the data dir',
  );
  for (const [k, v] of Object.entries(GATEWAY_ENV)) t.match(text, `\nEnvironment=${k}=${v}\n`, `Environment ${k}`);
  for (const line of ['CapabilityBoundingSet=\n', 'ReadWritePaths=/var/lib/agentos\n', 'ProtectHome=yes\n'])
    t.match(text, `\n${line}`, line.trim());
  const directives = text.split('\n').filter((l) => /^[A-Z]\w+=/.test(l));
  const lines = text.split('\n');
  const bare = directives.filter((d) => {
    const prev = lines[lines.indexOf(d) - 1] ?? '';
    return !prev.startsWith('#') && !/^(Description|User|Group|Environment|ExecStart|WantedBy)=/.test(d);
  });
  t.ok(bare.length < directives.length / 2, 'most directives follow a comment saying why');
});

t.test('--dry-run prints the unit and the commands and changes nothing', async (t) => {
  for (const root of [false, true]) {
    const fake = fakeHost({ root, groups: ['dialout'] });
    const r = await service(fake, ['install', '--dry-run', '--user', 'gw', '--data-dir', '/srv/gw/data']);
    t.equal(r.code, 0, `exit 0 (root: ${root})`);
    t.match(r.out, '/etc/systemd/system/agentos.service:\n  # agentos.service', 'the unit');
    t.match(r.out, '  ExecStart=', 'its ExecStart');
    t.match(r.out, 'commands (dry run, none was run):\n  useradd --system', 'the commands');
    t.match(r.out, '  systemctl restart agentos.service', 'down to the start');
    t.match(r.out, 'note: no group "bluetooth"', 'a note for a missing group');
    t.same(changes(fake.calls), [], 'only getent was asked');
    t.equal(fake.files.size, 1, 'no file written');
  }
  // the real CLI process and host: nothing appears in the unit dir or the data dir's parent
  const dir = await tempDir(t, 'agentos-dry-');
  const r = await runCli(['service', 'install', '--dry-run', '--unit-dir', dir, '--data-dir', join(dir, 'data')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `${dir}/agentos.service:`);
  t.match(r.stdout, `install -d -o agentos -g agentos -m 0750 ${dir}/data`);
  t.same(await readdir(dir), [], 'nothing created');
  const un = await runCli(['service', 'uninstall', '--dry-run', '--purge', '--unit-dir', dir]);
  t.equal(un.code, 0, un.stderr);
  t.same(await readdir(dir), [], 'uninstall --dry-run created nothing either');
});

t.test('install as root: the steps in order', async (t) => {
  const dir = await tempDir(t, 'agentos-config-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'broker:\n  port: 883\nstore:\n  dataDir: /srv/agentos\n');
  const fake = fakeHost({ root: true, groups: ['dialout', 'bluetooth'] });
  const r = await service(fake, ['install', '--config', config, '--memory-max', '300M']);
  t.equal(r.code, 0, r.err);
  const unit = '/etc/systemd/system/agentos.service';
  t.same(changes(fake.calls), [
    'useradd --system --user-group --no-create-home --home-dir /srv/agentos --shell /usr/sbin/nologin --comment AgentOS Edge gateway agentos',
    'usermod --append --groups dialout,bluetooth agentos',
    'install -d -o agentos -g agentos -m 0750 /srv/agentos',
    `runuser -u agentos -- ${NODE} ${ENTRY} --help`,
    `runuser -u agentos -- test -r ${config}`,
    `write ${unit}`,
    `systemd-analyze verify ${unit}`,
    'systemctl daemon-reload',
    'systemctl enable agentos.service',
    'systemctl restart agentos.service',
  ]);
  const text = fake.files.get(unit) ?? '';
  t.match(text, `--data-dir /srv/agentos --config ${config}\n`, "the config's absolute store.dataDir is the data dir");
  t.match(text, '\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n', 'port 883 keeps the one capability it needs');
  t.match(text, '\nSupplementaryGroups=dialout bluetooth\n');
  t.match(text, '\nMemoryMax=300M\n');
  t.match(r.out, '+ systemctl restart agentos.service', 'each step printed as it runs');
  t.match(r.out, 'installed agentos.service: runs as agentos, state in /srv/agentos');

  // again, with the user there and --no-start: no useradd, enabled but not restarted
  const again = fakeHost({ root: true, users: ['agentos'], groups: [], files: { [unit]: text } });
  const r2 = await service(again, ['install', '--no-start']);
  t.equal(r2.code, 0, r2.err);
  const steps = changes(again.calls);
  t.notOk(
    steps.some((s) => s.startsWith('useradd') || s.startsWith('usermod')),
    'no user made, no group to join',
  );
  t.equal(steps.at(-1), 'systemctl enable agentos.service', 'enabled, not started');
  t.match(r2.out, 'reinstalled agentos.service');
});

t.test('without root: refused with the sudo command', async (t) => {
  const fake = fakeHost({ root: false });
  const r = await service(fake, ['install', '--user', 'gw', '--no-start']);
  t.equal(r.code, 1);
  t.equal(r.err.trim().split('\n').length, 1, 'one line');
  t.match(r.err, `must run as root`);
  t.match(r.err, `run: sudo ${NODE} ${ENTRY} service install --user gw --no-start`);
  t.match(r.err, '--dry-run');
  const u = await service(fake, ['uninstall', '--purge']);
  t.match(u.err, `sudo ${NODE} ${ENTRY} service uninstall --purge`);
  t.same(changes(fake.calls), [], 'nothing run');

  const noSystemd = fakeHost({ root: true, systemd: false });
  const n = await service(noSystemd, ['install']);
  t.equal(n.code, 1);
  t.match(n.err, 'systemd is not running on this host', 'root without systemd: refused before any change');
  t.same(changes(noSystemd.calls), [], 'nothing run');
});

t.test('bad options name the flag', async (t) => {
  const fake = fakeHost({ root: true });
  const dir = await tempDir(t, 'agentos-bad-');
  const socketConfig = join(dir, 'socket.yaml');
  await writeFile(socketConfig, 'broker:\n  unixSocket: /run/agentos/mqtt.sock\n');
  const cases: Array<[string[], RegExp]> = [
    [['install', '--user', 'Root'], /--user must be a lower-case user name/],
    [['install', '--user', 'root'], /--user root: the gateway runs unprivileged/],
    [['install', '--data-dir', '/var'], /--data-dir \/var is a system folder/],
    [['install', '--data-dir', '/srv/my data'], /--data-dir "\/srv\/my data": a path in a unit file/],
    [['install', '--name', 'a b'], /--name must be letters/],
    [['install', '--memory-max', '5x'], /--memory-max must be bytes/],
    [['status', '--no-start'], /--no-start does not apply to "service status"/],
    [['install', '--purge'], /--purge does not apply to "service install"/],
    [['restart'], /unknown subcommand "restart"; valid: install, uninstall, status/],
    [['install', '--bogus'], /Unknown option '--bogus'/],
    [['install', '--config', socketConfig], /broker.unixSocket \/run\/agentos\/mqtt.sock .* is outside the data dir/],
  ];
  for (const [argv, re] of cases) {
    const r = await service(fake, argv);
    t.equal(r.code, 2, `${argv.join(' ')}: usage error`);
    t.match(r.err, re, argv.join(' '));
  }
  const missing = await service(fake, ['install', '--config', join(dir, 'nope.yaml')]);
  t.equal(missing.code, 1);
  t.match(missing.err, 'nope.yaml', 'a missing config file is named');
  t.same(changes(fake.calls), [], 'nothing run for any of them');
});

t.test('uninstall reverses install', async (t) => {
  const unit = '/etc/systemd/system/gw.service';
  const installed = fakeHost({ root: true, groups: ['dialout'] });
  const args = ['--name', 'gw', '--user', 'gwuser', '--data-dir', '/srv/gw'];
  t.equal((await service(installed, ['install', ...args])).code, 0);
  const text = installed.files.get(unit);
  t.ok(text, 'unit written');

  // uninstall takes the user and data dir from the installed unit
  const fake = fakeHost({ root: true, users: ['gwuser'], files: { [unit]: text ?? '' } });
  const r = await service(fake, ['uninstall', '--name', 'gw', '--purge']);
  t.equal(r.code, 0, r.err);
  const undo: Record<string, string> = {
    'useradd ': 'userdel gwuser',
    'install -d ': 'rm -rf --one-file-system -- /srv/gw',
    [`write ${unit}`]: `remove ${unit}`,
    'systemctl enable ': 'systemctl disable --now gw.service',
  };
  const inverses = changes(installed.calls).flatMap((c) =>
    Object.entries(undo)
      .filter(([prefix]) => c.startsWith(prefix))
      .map(([, inverse]) => inverse),
  );
  const undone = changes(fake.calls).filter((c) => Object.values(undo).includes(c));
  t.same(undone, inverses.reverse(), 'each change undone, in reverse order');
  t.same(changes(fake.calls), [
    'systemctl disable --now gw.service',
    `remove ${unit}`,
    'systemctl daemon-reload',
    'systemctl reset-failed gw.service',
    'rm -rf --one-file-system -- /srv/gw',
    'userdel gwuser',
  ]);
  t.notOk(fake.files.has(unit));

  const keep = fakeHost({ root: true, users: ['gwuser'], files: { [unit]: text ?? '' } });
  const k = await service(keep, ['uninstall', '--name', 'gw']);
  t.equal(k.code, 0, k.err);
  t.notOk(
    changes(keep.calls).some((c) => c.startsWith('rm ') || c.startsWith('userdel')),
    'data and user kept',
  );
  t.match(k.out, 'kept the user gwuser and /srv/gw (uninstall --purge deletes them)');
});

t.test('status: installed, current, what systemd says', async (t) => {
  const unit = '/etc/systemd/system/agentos.service';
  const installed = fakeHost({ root: true });
  await service(installed, ['install']);
  const text = installed.files.get(unit) ?? '';
  const show =
    'ActiveState=active\nSubState=running\nMainPID=42\nNRestarts=0\nUnitFileState=enabled\nMemoryCurrent=[not set]\n';

  const fake = fakeHost({ root: false, files: { [unit]: text }, show });
  const r = await service(fake, ['status']);
  t.equal(r.code, 0, 'running: exit 0');
  t.match(r.out, 'current    yes');
  t.match(r.out, 'state      active (running), pid 42');
  t.match(r.out, 'memory     not accounted (memory cgroup off');

  const moved = text.replace(NODE, '/usr/local/bin/node-old');
  const stale = fakeHost({ root: false, files: { [unit]: moved }, show: 'ActiveState=failed\nSubState=failed\n' });
  const s = await service(stale, ['status']);
  t.equal(s.code, 3, 'not running: exit 3');
  t.match(s.out, /current {4}no \(line \d+: install writes "ExecStart=/);
  t.match(s.out, `rewrite it: sudo ${NODE} ${ENTRY} service install --name agentos`);

  const none = await service(fakeHost({ root: false, show: 'ActiveState=inactive\n' }), ['status', '--json']);
  t.equal(none.code, 4, 'not installed: exit 4');
  t.match(JSON.parse(none.out), { installed: false, unit });
});

// The README's "Connect a device" steps against a gateway with access control on (the default): `agentos agents add`
// creates the lamp's identity, then the two mosquitto_pub lines, run exactly as written (only the port changed to the
// test gateway's, SECRET set as the README says), register the agent and deliver its telemetry; the operator lines
// read it back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { shell } from '../helpers/mosquitto-clients.js';
import { repoRoot } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait-for.js';

async function secretOf(args: string[]): Promise<string> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`agentos ${args.join(' ')} failed: ${r.stderr}`);
  const secret = /^secret: (\S+)$/m.exec(r.stdout)?.[1];
  if (!secret) throw new Error(`no "secret:" line in: ${r.stdout}`);
  return secret;
}

t.test('the README steps register an agent and send telemetry on a secured gateway', async (t) => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('## Connect a device')[1]?.split('\n## ')[0] ?? '';
  const lines = section.split('\n');
  const pubs = lines.filter((l) => l.startsWith('mosquitto_pub '));
  t.equal(pubs.length, 2, 'two mosquitto_pub lines (register, telemetry)');
  t.ok(
    pubs.every((l) => l.includes(' -p 1883 ')),
    'they use the default port',
  );
  t.ok(
    lines.some((l) => l.startsWith('npx agentos agents add lamp-1')),
    'the identity step is there',
  );

  const gw = await spawnGateway(t, { secure: true });
  const port = new URL(gw.url).port;
  const dataDir = ['--data-dir', gw.dataDir];
  const secret = await secretOf(['agents', 'add', 'lamp-1', ...dataDir]);
  const [hello = '', telemetry = ''] = pubs.map((l) => l.replace(' -p 1883 ', ` -p ${port} `));
  // the gateway picks up the new identity from its credential file a moment after `agents add` wrote it
  await waitFor(() => shell(hello, { SECRET: secret }).then(() => true), 30000, 'the hello line to be accepted');
  await shell(telemetry, { SECRET: secret });

  const operator = await secretOf(['credentials', 'add', 'me', '--kind', 'operator', '--role', 'admin', ...dataDir]);
  const env = { AGENTOS_USERNAME: 'me', AGENTOS_PASSWORD: operator };
  const shown = await waitFor(
    async () => {
      const r = await runCli(['agents', 'show', 'lamp-1', '--url', gw.url], env);
      if (r.code !== 0) throw new Error(r.stderr);
      const agent = JSON.parse(r.stdout) as { telemetry: Record<string, unknown> };
      return agent.telemetry['brightness'] !== undefined ? agent : null;
    },
    30000,
    'lamp-1 with telemetry through `agentos agents show`',
  );
  t.match(shown, {
    kind: 'device',
    status: 'online',
    capabilities: ['light.set'],
    capacity: { cpu: 0.1, memoryMb: 32 },
    use: { cpu: 0.02 },
    telemetry: { brightness: 80, powerW: 7.5 },
  });
  const list = await runCli(['agents', '--url', gw.url], env);
  t.match(list.stdout, /lamp-1\s+device\s+online\s+light\.set/, '`agentos agents` lists it');

  const anonymous =
    pubs[0]?.replace(' -p 1883 ', ` -p ${port} `).replace(/ -i lamp-1 -u lamp-1 -P "\$SECRET"/, '') ?? '';
  await t.rejects(shell(anonymous), 'an anonymous client is refused');
});

// npm run bench -- kernel [--durable N] [--mail N] [--requests N] [--kv N]
// The agent kernel and the SDK through an in-process gateway (embedded aedes on a free port, state in a temp dir):
// durable messages per second through the SDK outbox (fsync per message, QoS2 and QoS1), mailbox sends stored for an
// offline agent per second, mailbox request/reply round trip, storage kv.set round trip, and a supervised agent's
// install-to-running time. Prints one JSON object as its last line.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { validateConfig } from '../runtime/config/load.js';
import { Gateway } from '../runtime/gateway.js';
import { KernelComponent } from '../runtime/kernel/kernel-component.js';
import { AgentClient } from '../sdk/index.js';

const { values } = parseArgs({
  options: {
    durable: { type: 'string', default: '2000' },
    mail: { type: 'string', default: '500' },
    requests: { type: 'string', default: '300' },
    kv: { type: 'string', default: '500' },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

async function until(cond: () => boolean, what: string, timeoutMs = 120000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const dir = await mkdtemp(join(tmpdir(), 'agentos-bench-kernel-'));
let kernel: KernelComponent | undefined;
const config = validateConfig(
  {
    gateway: { id: 'gw-bench' },
    broker: { host: '127.0.0.1', port: 0, wsPort: null },
    store: { dataDir: join(dir, 'gw') },
    log: { level: 'silent' },
    security: { devMode: true },
    kernel: { mailboxQueueLengthMax: 100000, mailboxQueueBytesMax: 268435456 },
  },
  'bench',
);
const gateway = new Gateway(config, {
  logger: pino({ level: 'silent' }),
  components: [
    (ctx) => {
      kernel = new KernelComponent(ctx);
      return kernel;
    },
  ],
});
await gateway.start();
const url = gateway.urls.mqtt;
const clients: AgentClient[] = [];
async function client(agentId: string, extra: Partial<ConstructorParameters<typeof AgentClient>[0]> = {}) {
  const c = new AgentClient({ url, agentId, stateDir: join(dir, agentId), ...extra });
  clients.push(c);
  await c.start();
  await c.waitConnected(20000);
  return c;
}

/** CPU seconds (user+system) of this process, which holds both the gateway and the SDK clients */
const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** messages per wall second, and per CPU second (what the machine's load cannot distort) */
async function durableRate(qos: 1 | 2): Promise<[number, number]> {
  const c = await client(`dev-q${qos}`, { durableQos: qos });
  const t0 = performance.now();
  const c0 = cpuS();
  for (let i = 0; i < n('durable'); i++) c.state({ i });
  await c.flush(300000);
  return [n('durable') / ((performance.now() - t0) / 1000), n('durable') / (cpuS() - c0)];
}

const [durableQos2, durableQos2Cpu] = await durableRate(2);
const [durableQos1, durableQos1Cpu] = await durableRate(1);

// mailbox sends stored for an agent that is offline (queue persisted before the acknowledgement)
const sink = await client('sink');
await sink.stop();
const sender = await client('sender');
let t0 = performance.now();
const mc0 = cpuS();
for (let i = 0; i < n('mail'); i++) sender.mailbox.send('sink', { i });
await sender.flush(300000);
const mailStoredPerS = n('mail') / ((performance.now() - t0) / 1000);
const mailStoredPerCpuS = n('mail') / (cpuS() - mc0);

// request/reply between two agents through their mailboxes
const echo = await client('echo');
echo.mailbox.onMessage((m) => m.body);
const rtt: number[] = [];
for (let i = 0; i < n('requests'); i++) {
  const s = performance.now();
  await sender.mailbox.request('echo', i, { timeoutMs: 10000 });
  rtt.push(performance.now() - s);
}

// storage kv.set round trips
const kv: number[] = [];
for (let i = 0; i < n('kv'); i++) {
  const s = performance.now();
  await sender.storage.set(`k${i % 50}`, { i });
  kv.push(performance.now() - s);
}

// a supervised agent: install to running (process spawned), running to registered over MQTT via the SDK
const agentDir = join(dir, 'agents', 'noop');
await mkdir(agentDir, { recursive: true });
await writeFile(join(agentDir, 'agent.json'), JSON.stringify({ name: 'noop', entry: 'main.mjs' }));
await writeFile(join(agentDir, 'main.mjs'), 'setInterval(() => {}, 1000);');
t0 = performance.now();
await kernel!.supervisor.install(agentDir);
await until(() => kernel!.supervisor.get('noop')?.status === 'running', 'noop running');
const installToRunningMs = performance.now() - t0;
await until(() => (kernel!.supervisor.get('noop')?.rssBytes ?? 0) > 0, 'rss sample');
const agentRssMb = (kernel!.supervisor.get('noop')?.rssBytes ?? 0) / 1048576;

for (const c of clients) await c.stop();
await gateway.stop();
await rm(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    durable_qos2_msgs_per_s: round(durableQos2),
    durable_qos2_msgs_per_cpu_s: round(durableQos2Cpu),
    durable_qos1_msgs_per_s: round(durableQos1),
    durable_qos1_msgs_per_cpu_s: round(durableQos1Cpu),
    mailbox_stored_msgs_per_s: round(mailStoredPerS),
    mailbox_stored_msgs_per_cpu_s: round(mailStoredPerCpuS),
    mailbox_rtt_p50_ms: round(pct(rtt, 50), 2),
    mailbox_rtt_p99_ms: round(pct(rtt, 99), 2),
    storage_kv_set_p50_ms: round(pct(kv, 50), 2),
    storage_kv_set_p99_ms: round(pct(kv, 99), 2),
    supervised_install_to_running_ms: round(installToRunningMs),
    supervised_idle_agent_rss_mb: round(agentRssMb),
    durable_messages: n('durable'),
    mailbox_messages: n('mail'),
    cpus: cpus().length,
    loadavg_1m: round(loadavg()[0] ?? 0, 2),
  }),
);

// The Prometheus endpoint of a real gateway, scraped over real HTTP and read by a strict parser of the text exposition
// format 0.0.4 written here (not the code under test): every line matches the grammar, every family has HELP and TYPE
// before its samples and its samples together, no series twice. Agents come in through MQTT and the agent table.
import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import { topics } from '../../runtime/bus/topics.js';
import { ConfigError, defaultConfig, validateConfig } from '../../runtime/config/load.js';
import { HealthReporter } from '../../runtime/health.js';
import { Exposition, ResponseTooLargeError } from '../../runtime/integrations/metrics/exposition.js';
import { MetricsComponent } from '../../runtime/integrations/metrics/metrics-component.js';
import { startGateway } from '../helpers/gateway.js';
import { connectMqtt } from '../helpers/mqtt-client.js';
import { waitFor } from '../helpers/wait-for.js';

interface Family {
  type: string;
  help: string;
  samples: Map<string, number>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) ((?:[^\\\\\\n]|\\\\[\\\\n])*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const VALUE = /^(?:NaN|[+-]Inf|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;

/** families by name; throws naming the line on anything the 0.0.4 grammar or our rules do not allow */
function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the page must end with a line feed');
  const families = new Map<string, Family>();
  let current: string | undefined;
  const open = (name: string, line: string): Family => {
    const f = families.get(name);
    if (f && current !== name) throw new Error(`family ${name} split: ${line}`);
    current = name;
    const fresh: Family = f ?? { type: '', help: '', samples: new Map() };
    families.set(name, fresh);
    return fresh;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    const help = HELP_LINE.exec(line);
    const type = TYPE_LINE.exec(line);
    if (help || type) {
      const f = open((help ?? type)?.[1] as string, line);
      if (f.samples.size > 0 || (help ? f.help : f.type)) throw new Error(`HELP/TYPE repeated or late: ${line}`);
      if (help) f.help = help[2] || '-';
      else f.type = type?.[2] as string;
      continue;
    }
    const m = SAMPLE_LINE.exec(line);
    if (!m) throw new Error(`not a sample, HELP or TYPE line: ${JSON.stringify(line)}`);
    const [, name = '', labelText = '', value = ''] = m;
    const f = families.get(name);
    if (!f || current !== name || !f.help || !f.type) throw new Error(`sample without HELP and TYPE first: ${line}`);
    if (!VALUE.test(value)) throw new Error(`bad value: ${line}`);
    const key = labelKey(parseLabels(labelText, line));
    if (f.samples.has(key)) throw new Error(`series twice: ${line}`);
    if (f.type === 'counter' && (!name.endsWith('_total') || Number(value) < 0))
      throw new Error(`bad counter: ${line}`);
    f.samples.set(key, Number(value));
  }
  return families;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels: ${line}`);
    const [, name = '', raw = ''] = m;
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function value(fams: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  return fams.get(name)?.samples.get(labelKey(labels));
}

async function scrape(port: number, path = '/metrics', method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function page(port: number): Promise<Map<string, Family>> {
  const r = await scrape(port);
  if (r.status !== 200) throw new Error(`scrape: HTTP ${r.status}: ${r.text}`);
  return parseExposition(r.text);
}

const tcpServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

t.test('metrics are off by default and then open no port', async (t) => {
  t.match(defaultConfig().metrics, { enabled: false, host: '127.0.0.1', port: 9464, path: '/metrics', agentsMax: 500 });
  const before = tcpServers();
  const gw = await startGateway(t);
  t.equal(tcpServers() - before, gw.wsUrl ? 2 : 1, 'only the broker listens (MQTT and WebSocket)');
  t.notOk('metrics' in gw.gateway.context.health.report(), 'no metrics section in health');
});

t.test('config errors name the field', async (t) => {
  const err = t.throws(() =>
    validateConfig({ metrics: { port: 70000, path: 'metrics', agentsMax: -1, colour: 'red', enabled: 'yes' } }),
  ) as ConfigError;
  t.type(err, ConfigError);
  t.same(err.errors.map((e) => e.field).sort(), [
    'metrics.agentsMax',
    'metrics.colour',
    'metrics.enabled',
    'metrics.path',
    'metrics.port',
  ]);
});

t.test('the parser itself refuses what the format does not allow', async (t) => {
  const ok = '# HELP a_total h\n# TYPE a_total counter\na_total{x="1"} 1\n';
  t.equal(value(parseExposition(ok), 'a_total', { x: '1' }), 1);
  const bad = {
    'no final line feed': ok.slice(0, -1),
    'sample before TYPE': '# HELP a h\na 1\n# TYPE a gauge\n',
    'series twice': `${ok}a_total{x="1"} 2\n`,
    'family split': `${ok}# HELP b h\n# TYPE b gauge\nb 1\na_total{x="2"} 1\n`,
    'unescaped quote': '# HELP a h\n# TYPE a gauge\na{x="""} 1\n',
    'bad value': '# HELP a h\n# TYPE a gauge\na 1,5\n',
  };
  for (const [what, text] of Object.entries(bad)) t.throws(() => parseExposition(text), what);
});

t.test('the writer escapes label values and HELP text, refuses bad names and bounds the page', async (t) => {
  const out = new Exposition(65536);
  out.metric('x_info', 'gauge', 'back\\slash and\nnewline', [[{ v: 'a"b\\c\nd' }, 1]]);
  out.counter('x_events_total', 'n', 2);
  const fams = parseExposition(out.text());
  t.equal(value(fams, 'x_info', { v: 'a"b\\c\nd' }), 1, 'label value round trip');
  t.equal(fams.get('x_info')?.help, 'back\\\\slash and\\nnewline', 'HELP escaped');
  t.throws(() => out.counter('x_events', 'n', 1), /_total/, 'a counter without _total');
  t.throws(() => out.gauge('x_info', 'n', 1), /twice/, 'a family twice');
  t.throws(() => out.gauge('x-y', 'n', 1), /invalid metric name/);
  const small = new Exposition(100);
  t.throws(() => small.metric('y', 'gauge', 'h', [[{ a: 'x'.repeat(200) }, 1]]), ResponseTooLargeError);
});

t.test('a real scrape follows the agent table; 404, 405; start and stop are idempotent', async (t) => {
  const gw = await startGateway(t, { config: { metrics: { enabled: true, port: 0, agentsMax: 2 } } });
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 10000 });
  t.teardown(() => api.close());
  const health = await api.call<{ metrics: { port: number; url: string } }>('health', {});
  const port = health.metrics.port;
  t.ok(port > 0, 'the bound port is in the health report');
  t.equal(health.metrics.url, `http://127.0.0.1:${port}/metrics`);

  const first = await scrape(port);
  t.equal(first.status, 200);
  t.equal(first.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const empty = parseExposition(first.text);
  t.equal(value(empty, 'agentos_agents', { kind: 'robot', status: 'online' }), 0, 'zeros are written too');
  t.equal(value(empty, 'agentos_scheduler_policy_info', { policy: 'rl' }), 1, 'the running policy');
  t.equal(
    value(empty, 'agentos_gateway_info', {
      gateway: 'gw-test',
      broker_mode: 'embedded',
      node_version: process.version,
    }),
    1,
  );
  for (const name of [
    'process_resident_memory_bytes',
    'process_cpu_seconds_total',
    'agentos_event_loop_delay_p99_seconds',
  ]) {
    t.ok((value(empty, name) ?? -1) >= 0, `${name} is there`);
  }
  t.notOk(empty.has('agentos_cluster_role'), 'no cluster families with the cluster off');

  const robot = await connectMqtt(t, gw.url);
  const hello = { kind: 'robot', capabilities: ['move.to'], capacity: { cpu: 2, memoryMb: 512 } };
  await robot.publishAsync(topics.agent('arm-1', 'hello'), JSON.stringify(hello), { qos: 1 });
  const use = { values: { x: 1 }, use: { cpu: 0.5, memoryMb: 100 } };
  await robot.publishAsync(topics.agent('arm-1', 'telemetry'), JSON.stringify(use), { qos: 1 });
  const one = await waitFor(
    async () => {
      const f = await page(port);
      return value(f, 'agentos_agent_memory_used_bytes', { agent: 'arm-1' }) !== undefined ? f : null;
    },
    10000,
    'arm-1 and its reported use on the page',
  );
  t.equal(value(one, 'agentos_agents', { kind: 'robot', status: 'online' }), 1);
  t.equal(value(one, 'agentos_agent_status', { agent: 'arm-1', kind: 'robot', status: 'online' }), 1);
  t.equal(value(one, 'agentos_agent_cpu_capacity_cores', { agent: 'arm-1' }), 2);
  t.equal(value(one, 'agentos_agent_memory_capacity_bytes', { agent: 'arm-1' }), 512 * 1048576);
  t.equal(value(one, 'agentos_agent_cpu_used_cores', { agent: 'arm-1' }), 0.5);
  t.equal(value(one, 'agentos_agent_memory_used_bytes', { agent: 'arm-1' }), 100 * 1048576);
  t.ok((value(one, 'agentos_agent_messages_received_total', { agent: 'arm-1' }) ?? 0) >= 1, 'messages counted');
  t.ok((value(one, 'agentos_broker_connected_clients') ?? 0) >= 2, 'the robot and the API client');

  // two more agents straight into the table: three agents, per-agent series for the two lowest ids
  const { registry } = gw.gateway.context;
  for (const id of ['b-lamp', 'c-lamp']) {
    registry.apply({ type: 'register', agentId: id, kind: 'device', capabilities: [], capacity: {}, metadata: {} });
  }
  await robot.publishAsync(topics.agent('arm-1', 'status'), JSON.stringify({ status: 'offline' }), { qos: 1 });
  const three = await waitFor(
    async () => {
      const f = await page(port);
      return value(f, 'agentos_agents', { kind: 'robot', status: 'offline' }) === 1 ? f : null;
    },
    10000,
    'arm-1 offline on the page',
  );
  t.equal(value(three, 'agentos_agents', { kind: 'robot', status: 'online' }), 0);
  t.equal(value(three, 'agentos_agents', { kind: 'device', status: 'online' }), 2);
  t.equal(value(three, 'agentos_agent_status', { agent: 'arm-1', kind: 'robot', status: 'offline' }), 1);
  t.equal(value(three, 'agentos_metrics_agents_omitted'), 1, 'the cut is counted');
  const agentsShown = new Set(
    [...(three.get('agentos_agent_status')?.samples.keys() ?? [])].map((k) => (JSON.parse(k) as string[][])[0]?.[1]),
  );
  t.same([...agentsShown].sort(), ['arm-1', 'b-lamp'], 'agentsMax agents, lowest ids first');

  t.equal((await scrape(port, '/other')).status, 404);
  const post = await scrape(port, '/metrics', 'POST');
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
  const head = await scrape(port, '/metrics?x=1', 'HEAD');
  t.equal(head.status, 200, 'HEAD, and a query string is ignored');

  // a second instance beside the gateway's, with its own health sections so its stop() leaves the gateway's in place
  const extraHealth = new HealthReporter();
  const extra = new MetricsComponent({ ...gw.gateway.context, health: extraHealth });
  t.equal(extra.port, null, 'the constructor opened nothing');
  await extra.start();
  const extraPort = extra.port;
  await extra.start();
  t.equal(extra.port, extraPort, 'a second start() does nothing');
  t.equal((await scrape(extraPort ?? 0)).status, 200);
  await extra.stop();
  await extra.stop();
  await t.rejects(fetch(`http://127.0.0.1:${extraPort}/metrics`), 'nothing listens after stop()');
  t.notOk('metrics' in extraHealth.report(), 'its health section is gone');
  t.equal((await scrape(port)).status, 200, "the gateway's endpoint still answers");
});

t.test('a single-node cluster: role, term and commit index on the page', async (t) => {
  const gw = await startGateway(t, {
    config: { metrics: { enabled: true, port: 0 }, cluster: { enabled: true, profile: 'fast' } },
  });
  const port = gw.gateway.context.health.report()['metrics'] as { port: number };
  const fams = await waitFor(
    async () => {
      const f = await page(port.port);
      return value(f, 'agentos_cluster_role', { role: 'leader' }) === 1 ? f : null;
    },
    10000,
    'this node to lead its one-node cluster',
  );
  const roles = [...(fams.get('agentos_cluster_role')?.samples.values() ?? [])];
  t.same(roles.sort(), [0, 0, 0, 1], 'one role at a time');
  t.ok((value(fams, 'agentos_cluster_term') ?? 0) >= 1);
  t.ok((value(fams, 'agentos_cluster_commit_index') ?? -1) >= 0);
  t.equal(value(fams, 'agentos_cluster_has_leader'), 1);
  t.equal(value(fams, 'agentos_cluster_messages_dropped_total', { reason: 'queue_full' }), 0);
});

// npm run bench -- metrics [--agents N] [--scrapes N]
// The Prometheus endpoint of an in-process gateway (all components, metrics on a free port) with N agents that declared
// capacity and reported use: scrape latency over real HTTP (sequential, as one Prometheus would), the server-side page
// build alone, page size and series count, and the page's share of a 15 s scrape interval. Prints one JSON object as
// its last line. The scraping client runs in the same process, so the HTTP numbers include its side too.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { validateConfig } from '../runtime/config/load.js';
import { Gateway } from '../runtime/gateway.js';
import { MetricsComponent } from '../runtime/integrations/metrics/metrics-component.js';

const { values } = parseArgs({
  options: { agents: { type: 'string', default: '500' }, scrapes: { type: 'string', default: '300' } },
});
const agents = Number(values.agents);
const scrapes = Number(values.scrapes);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

const dir = await mkdtemp(join(tmpdir(), 'agentos-bench-metrics-'));
const config = validateConfig(
  {
    gateway: { id: 'gw-bench' },
    broker: { host: '127.0.0.1', port: 0, wsPort: null },
    store: { dataDir: join(dir, 'gw') },
    log: { level: 'silent' },
    security: { devMode: true },
    metrics: { enabled: true, port: 0, agentsMax: agents },
  },
  'bench',
);
const gateway = new Gateway(config, { logger: pino({ level: 'silent' }) });
await gateway.start();
try {
  const { registry, health } = gateway.context;
  const kinds = ['device', 'robot', 'software'] as const;
  for (let i = 0; i < agents; i++) {
    const agentId = `agent-${String(i).padStart(4, '0')}`;
    const capacity = { cpu: 1 + (i % 4), memoryMb: 256 * (1 + (i % 4)), bandwidthKbps: 1000 };
    const kind = kinds[i % 3] ?? 'device';
    registry.apply({ type: 'register', agentId, kind, capabilities: ['x.run'], capacity, metadata: {} });
    const use = { cpu: (i % 10) / 10, memoryMb: 32 + (i % 64), battery: (i % 100) / 100 };
    registry.apply({ type: 'telemetry', agentId, tsMs: Date.now(), values: { t: i }, use });
  }
  const url = `${(health.report()['metrics'] as { url: string }).url}`;
  const fetchOnce = async () => {
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
    return text;
  };
  for (let i = 0; i < 20; i++) await fetchOnce(); // warm up (JIT, keep-alive connection)
  const httpMs: number[] = [];
  let bytes = 0;
  let series = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < scrapes; i++) {
    const t0 = performance.now();
    const text = await fetchOnce();
    httpMs.push(performance.now() - t0);
    bytes = Buffer.byteLength(text);
    series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  }
  const cpu = process.cpuUsage(cpu0);
  // the page build alone, on a second component sharing the gateway's table (it is never started: no port)
  const renderer = new MetricsComponent(gateway.context);
  const renderMs: number[] = [];
  for (let i = 0; i < scrapes; i++) {
    const t0 = performance.now();
    renderer.render();
    renderMs.push(performance.now() - t0);
  }
  const p50 = pct(renderMs, 50);
  console.log(
    JSON.stringify({
      agents,
      scrapes,
      scrape_p50_ms: round(pct(httpMs, 50)),
      scrape_p99_ms: round(pct(httpMs, 99)),
      render_p50_ms: round(p50),
      render_p99_ms: round(pct(renderMs, 99)),
      cpu_ms_per_scrape_with_client: round((cpu.user + cpu.system) / 1000 / scrapes),
      response_bytes: bytes,
      series,
      render_share_of_15s_interval_pct: round((p50 / 15000) * 100, 4),
      cpus: cpus().length,
      loadavg_1m: round(loadavg()[0] ?? 0, 2),
    }),
  );
} finally {
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
}

// Leader failover on real gateways: `npm run bench -- gateway-failover [--kills K] [--sizes 3,5] [--profiles fast,default]`.
// Starts `agentos start` processes on loopback (own broker, ports and data dir each, cluster enabled, HMAC site key),
// and K times: commits a cluster task through the leader, kills the leader with SIGKILL, measures the time from the
// kill to the first "cluster role" log line of a survivor that leads in a later term (the gateways' own timestamps),
// restarts the killed gateway and waits until it has caught up. At the end every acknowledged task must be in the
// replicated state (a linearizable read), else it counts in `lost_committed`. Ends with one JSON line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../runtime/bus/api-client.js';
import { percentile } from '../runtime/cluster/host/failover-run.js';
import { createSiteKey } from '../runtime/security/site-key.js';
import { freePort } from '../tests/helpers/free-port.js';
import { type GatewayProcess, spawnGateway } from '../tests/helpers/gateway-process.js';
import { tempDir } from '../tests/helpers/temp-dir.js';
import { waitFor } from '../tests/helpers/wait-for.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : (process.argv[i + 1] ?? def);
}

interface Node {
  id: string;
  url: string;
  args: string[];
  dataDir: string;
  proc?: GatewayProcess | undefined;
}

interface Status {
  role: string;
  term: number;
  leader: string | null;
  commit: number;
  applied: number;
}

const cleanups: Array<() => unknown> = [];
const teardown = { teardown: (fn: () => unknown) => void cleanups.push(fn) };

async function call<T>(url: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const api = await ApiClient.connect({ url, timeoutMs: 10_000 });
  try {
    return await api.call<T>(method, params);
  } finally {
    await api.close();
  }
}

async function startNodes(size: number, profile: string): Promise<Node[]> {
  const root = await tempDir(teardown, 'agentos-gwf-');
  const siteKeyFile = join(root, 'site.key');
  await createSiteKey(siteKeyFile);
  const ids = Array.from({ length: size }, (_, i) => `f${i + 1}`);
  const ports = await Promise.all(ids.map(() => freePort()));
  const peers = ids.map((id, i) => ({ id, url: `mqtt://127.0.0.1:${ports[i]}` }));
  const nodes: Node[] = await Promise.all(
    ids.map(async (id, i): Promise<Node> => {
      const config = join(root, `${id}.json`);
      const doc = { gateway: { id }, cluster: { enabled: true, clusterId: 'bench', profile, peers, siteKeyFile } };
      await writeFile(config, JSON.stringify({ ...doc, scheduler: { traceEnabled: false } }));
      const dataDir = join(root, id);
      const args = ['--config', config, '--port', String(ports[i]), '--no-ws', '--data-dir', dataDir];
      return { id, url: peers[i]!.url, args, dataDir };
    }),
  );
  for (const n of nodes)
    n.proc = await spawnGateway(teardown, { dataDir: n.dataDir, args: n.args, readyTimeoutMs: 60_000 });
  return nodes;
}

async function leaderOf(nodes: Node[]): Promise<{ node: Node; status: Status }> {
  return waitFor(
    async () => {
      const all = await Promise.all(nodes.map((n) => call<Status>(n.url, 'cluster.status', { local: true })));
      const i = all.findIndex((s) => s.role === 'leader');
      if (i < 0 || !all.every((s) => s.leader === all[i]!.leader && s.applied >= all[i]!.commit - 1)) return undefined;
      return { node: nodes[i]!, status: all[i]! };
    },
    60_000,
    'one leader followed by every gateway',
    50,
  );
}

/** time from the kill to the first survivor that logs itself leader in a later term, by the gateways' clocks */
async function electionMs(survivors: Node[], killedAtMs: number, term: number): Promise<number> {
  const line = await waitFor(
    () =>
      survivors
        .flatMap((n) => n.proc!.logs)
        .filter((l) => l['msg'] === 'cluster role' && l['role'] === 'leader' && Number(l['term']) > term)
        .sort((a, b) => Number(a['time']) - Number(b['time']))[0],
    60_000,
    'a new leader after the kill',
    5,
  );
  return Number(line['time']) - killedAtMs;
}

async function run(
  size: number,
  profile: string,
  kills: number,
): Promise<{ ms: number[]; acked: number; lost: number }> {
  const nodes = await startNodes(size, profile);
  const ms: number[] = [];
  const acked: string[] = [];
  for (let k = 0; k < kills; k++) {
    const { node: leader, status } = await leaderOf(nodes);
    const id = `k${k}`;
    const r = await call<{ ok: boolean }>(leader.url, 'cluster.tasks.submit', { id, capability: 'bench' });
    if (r.ok) acked.push(id);
    const killedAtMs = Date.now();
    await leader.proc!.stop('SIGKILL');
    ms.push(
      await electionMs(
        nodes.filter((n) => n !== leader),
        killedAtMs,
        status.term,
      ),
    );
    leader.proc = await spawnGateway(teardown, { dataDir: leader.dataDir, args: leader.args, readyTimeoutMs: 60_000 });
  }
  const { node } = await leaderOf(nodes);
  const state = await call<{ tasks: Record<string, unknown> }>(node.url, 'cluster.state');
  const lost = acked.filter((id) => !state.tasks[id]).length;
  await Promise.all(nodes.map((n) => n.proc?.stop('SIGTERM')));
  return { ms, acked: acked.length, lost };
}

const kills = Number(arg('kills', '10'));
if (!Number.isInteger(kills) || kills < 1) throw new TypeError('--kills must be a positive integer');
const sizes = arg('sizes', '3').split(',').map(Number);
const profiles = arg('profiles', 'fast,default').split(',');
const out: Record<string, number> = {};
let total = 0;
let lost = 0;
try {
  for (const profile of profiles) {
    const all: number[] = [];
    for (const size of sizes) {
      const r = await run(size, profile, kills);
      all.push(...r.ms);
      lost += r.lost;
      const p = (q: number) => Math.round(percentile(r.ms, q));
      console.log(
        `${profile} n=${size}: kills ${r.ms.length} p50 ${p(50)} ms p99 ${p(99)} ms; tasks acked ${r.acked}, lost ${r.lost}`,
      );
    }
    total += all.length;
    out[`${profile}_p50_ms`] = Math.round(percentile(all, 50));
    out[`${profile}_p99_ms`] = Math.round(percentile(all, 99));
  }
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
console.log(JSON.stringify({ kills: total, ...out, lost_committed: lost }));

// The RSS part of bench/ingest.ts: the gateway started as `npm start` starts it (package.json's start script, its node
// flags included, with the built CLI; the sources through tsx when there is no dist/), idle with 1000 registered agents
// over 20 MQTT connections. Also a breakdown: /proc/PID/smaps_rollup and the gateway's `process` health section.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../../runtime/bus/api-client.js';
import { type CliGateway, forkLoad, root, rssMb, spawnCli, tempDir, waitUntil } from './fixtures.js';

export interface RssResult {
  rssMb: number;
  /** how the gateway was started: the start script's command line */
  command: string;
  /** wall time from spawn to the "gateway ready" line, ms */
  readyMs: number;
  /** smaps_rollup: anonymous (heaps) and file-backed (node, onnxruntime and other mapped code) resident MiB */
  anonMb: number;
  fileMb: number;
  /** the gateway's own view (process health section): memoryUsage and V8 heap spaces */
  process: Record<string, unknown>;
}

/** environment assignments, node flags and script of package.json's start script (`[VAR=VALUE...] node FLAGS... SCRIPT start`) */
async function startScript(): Promise<{ env: Record<string, string>; flags: string[]; script: string }> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name = '', ...value] = (words.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  const scriptAt = words.findIndex((w) => w.endsWith('.js'));
  if (words[0] !== 'node' || scriptAt < 0 || words[scriptAt + 1] !== 'start') {
    throw new Error(
      `package.json start script is not "[VAR=VALUE...] node [FLAGS] SCRIPT.js start": ${pkg.scripts.start}`,
    );
  }
  return { env, flags: words.slice(1, scriptAt), script: words[scriptAt] ?? '' };
}

/** `npm start` without npm in between (so the pid is the gateway's): the start script's environment and node flags */
async function spawnAsNpmStart(dataDir: string, extraArgs: string[]): Promise<CliGateway> {
  const { env, flags } = await startScript();
  return spawnCli(dataDir, extraArgs, { flags, env });
}

async function smapsRollupMb(pid: number): Promise<{ anonMb: number; fileMb: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return { anonMb: round1(kb('Anonymous') / 1024), fileMb: round1((kb('Rss') - kb('Anonymous')) / 1024) };
}

export async function rssWith1000Agents(cliArgs: string[]): Promise<RssResult> {
  const tmp = await tempDir();
  const gw = await spawnAsNpmStart(tmp.dir, cliArgs);
  const url = String(gw.log['mqtt']);
  const load = forkLoad();
  const api = await ApiClient.connect({ url, timeoutMs: 10000 });
  try {
    // 1000 agents over 20 connections: a secured gateway's flood guard may refuse 1000 connections from one address
    await load.request({
      cmd: 'connect',
      port: Number(new URL(url).port),
      devices: 20,
      prefix: 'rss-',
      agentsPerDevice: 50,
    });
    await waitUntil(
      async () => (await api.call<{ agents: { total: number } }>('health')).agents.total >= 1000,
      60000,
      '1000 agents',
    );
    await new Promise((r) => setTimeout(r, 3000)); // idle: let the store flush and the heap settle
    const pid = gw.child.pid ?? 0;
    const rss = await rssMb(pid); // read first: the health call below allocates in the gateway
    const maps = await smapsRollupMb(pid);
    const health = await api.call<{ process?: Record<string, unknown> }>('health');
    return { rssMb: rss, command: gw.command, readyMs: gw.wallReadyMs, ...maps, process: health.process ?? {} };
  } finally {
    await api.close();
    await load.stop();
    await gw.stop();
    await tmp.remove();
  }
}

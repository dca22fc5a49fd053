// A standalone cluster node process (for the failover test and benchmark, and as a reference for the gateway): an
// embedded aedes broker holding this node's inbox, a RaftHost with the MQTT transport and files in --dir, and a tiny
// key-value state machine. It talks to its parent by JSON lines: it prints {"event":"status",...} on every role or
// term change, and answers {"op":"put","id","k","v"} and {"op":"dump","id"} on stdin with {"reply":id,...}.
//   node --import tsx runtime/cluster/host/node-main.ts --id g1 --peers g1=1883,g2=1884,g3=1885 --dir DIR --profile fast
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { Aedes } from 'aedes';
import type { Entry } from '../raft/types.js';
import { MqttTransport } from '../transport/mqtt-transport.js';
import { raftProfile } from './profiles.js';
import { RaftHost } from './raft-host.js';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : process.argv[i + 1];
  if (v === undefined) throw new TypeError(`--${name} is required`);
  return v;
}

const id = arg('id');
const ports = Object.fromEntries(
  arg('peers')
    .split(',')
    .map((p) => p.split('=') as [string, string]),
);
const dir = arg('dir');
const timing = raftProfile(arg('profile'));
const url = (node: string) => `mqtt://127.0.0.1:${ports[node]}`;
const data = new Map<string, string>();

const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  const aedes = await Aedes.createBroker({ id });
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    aedes.handle(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(ports[id]), '127.0.0.1', resolve);
  });
  const ids = Object.keys(ports);
  const host = new RaftHost({
    id,
    bootstrapVoters: ids,
    storageDir: dir,
    tickMs: timing.tickMs,
    raft: { electionTicks: timing.electionTicks, heartbeatTicks: timing.heartbeatTicks },
    requestTimeoutMs: 10_000,
    snapshotEvery: 200,
    apply: (entries: readonly Entry[]) => {
      for (const e of entries) {
        if (e.type !== 'normal' || e.data === '') continue;
        const { k, v } = JSON.parse(e.data) as { k: string; v: string };
        data.set(k, v);
      }
    },
    restore: (s) => {
      data.clear();
      for (const [k, v] of JSON.parse(s) as [string, string][]) data.set(k, v);
    },
    capture: () => JSON.stringify([...data]),
    transport: (onMessage) =>
      new MqttTransport({
        clusterId: 'bench',
        nodeId: id,
        inboxUrl: url(id),
        peers: Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, url(p)])),
        onMessage,
        reconnectPeriodMs: 50,
      }),
    onError: (err) => out({ event: 'error', message: String(err) }),
  });
  await host.start();
  let last = '';
  const watch = setInterval(() => {
    const st = host.status();
    if (!st) return;
    const key = `${st.role}/${st.term}/${st.leader}`;
    if (key === last) return;
    last = key;
    out({ event: 'status', id, role: st.role, term: st.term, leader: st.leader, commit: st.commit });
  }, 2);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const req = JSON.parse(line) as { op: string; id: number; k?: string; v?: string };
    const reply = (o: object) => out({ reply: req.id, ...o });
    if (req.op === 'put') {
      Promise.resolve()
        .then(() => host.propose(JSON.stringify({ k: req.k, v: req.v })))
        .then((index) => reply({ ok: true, index }))
        .catch((e: Error) => reply({ ok: false, error: e.message }));
    } else if (req.op === 'dump') {
      Promise.resolve()
        .then(() => host.read())
        .then(() => reply({ ok: true, data: Object.fromEntries(data) }))
        .catch((e: Error) => reply({ ok: false, error: e.message }));
    }
  });
  const shutdown = async () => {
    clearInterval(watch);
    rl.close();
    await host.stop();
    for (const s of sockets) s.destroy();
    server.close();
    aedes.close();
  };
  process.once('SIGTERM', () => void shutdown());
  out({ event: 'ready', id });
}

main().catch((e: unknown) => {
  out({ event: 'fatal', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});

// Three Raft hosts (real timers, files in a temp dir, the MQTT transport on one aedes broker each) elect a leader,
// commit, serve a linearizable read through a follower, survive the leader's stop, and a restarted node recovers its
// log from disk and catches up.
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import t, { type Test } from 'tap';
import { RaftHost } from '../../runtime/cluster/host/raft-host.js';
import type { Entry } from '../../runtime/cluster/raft/types.js';
import { MqttTransport } from '../../runtime/cluster/transport/mqtt-transport.js';
import { waitFor } from '../helpers/wait-for.js';

async function broker(t: Test): Promise<string> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    aedes.handle(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });
  return `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

class Kv {
  data = new Map<string, string>();
  apply = (entries: readonly Entry[]): void => {
    for (const e of entries) {
      if (e.type !== 'normal' || e.data === '') continue;
      const { k, v } = JSON.parse(e.data) as { k: string; v: string };
      this.data.set(k, v);
    }
  };
  restore = (s: string): void => {
    this.data = new Map(JSON.parse(s) as [string, string][]);
  };
  capture = (): string => JSON.stringify([...this.data]);
}

t.test('three hosts over MQTT: elect, commit, read, fail over, recover from disk', async (t) => {
  const ids = ['g1', 'g2', 'g3'];
  const dir = await mkdtemp(join(tmpdir(), 'raft-host-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const urls: Record<string, string> = {};
  for (const id of ids) urls[id] = await broker(t);
  const kvs = new Map<string, Kv>();
  const make = (id: string, seed: number) => {
    const kv = new Kv();
    kvs.set(id, kv);
    const host = new RaftHost({
      id,
      bootstrapVoters: ids,
      storageDir: join(dir, id),
      tickMs: 10,
      seed,
      raft: { electionTicks: 15, heartbeatTicks: 3 },
      requestTimeoutMs: 10_000,
      snapshotEvery: 20,
      apply: kv.apply,
      restore: kv.restore,
      capture: kv.capture,
      transport: (onMessage) =>
        new MqttTransport({
          clusterId: 'site',
          nodeId: id,
          inboxUrl: urls[id]!,
          peers: Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, urls[p]!])),
          onMessage,
          reconnectPeriodMs: 100,
        }),
    });
    t.teardown(() => host.stop());
    return host;
  };
  const hosts = new Map(ids.map((id, i) => [id, make(id, i + 1)]));
  await Promise.all([...hosts.values()].map((h) => h.start()));
  const leaderOf = () => [...hosts].find(([, h]) => h.status()?.role === 'leader')?.[0];
  const first = await waitFor(leaderOf, 20_000, 'a leader');
  for (let i = 0; i < 30; i++) await hosts.get(first)!.propose(JSON.stringify({ k: `k${i % 3}`, v: String(i) }));
  const follower = ids.find((id) => id !== first)!;
  await hosts.get(follower)!.read();
  t.equal(kvs.get(follower)!.data.get('k2'), '29', 'a read through a follower sees the last acknowledged write');
  await hosts.get(first)!.stop();
  hosts.delete(first);
  const second = await waitFor(leaderOf, 20_000, 'a new leader');
  t.not(second, first);
  await hosts.get(second)!.propose(JSON.stringify({ k: 'after', v: 'failover' }));
  const restarted = make(first, 99);
  hosts.set(first, restarted);
  await restarted.start();
  t.ok(
    (restarted.status()?.lastIndex ?? 0) >= 30 || (restarted.status()?.snapshotIndex ?? 0) > 0,
    'log recovered from disk',
  );
  await waitFor(() => kvs.get(first)!.data.get('after') === 'failover', 20_000, 'the restarted node to catch up');
  t.equal(kvs.get(first)!.data.get('k2'), '29');
});

// Three Raft hosts (real timers, files in a temp dir, the MQTT transport on one aedes broker each) elect a leader,
// commit, serve a linearizable read through a follower, survive the leader's stop, and a restarted node recovers its
// log from disk and catches up. A read started during an election waits for the next leader; without a quorum it
// fails after leaderWaitMs (and so does whenLeader).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { RaftHost, type RaftHostOptions } from '../../runtime/cluster/host/raft-host.js';
import type { Entry } from '../../runtime/cluster/raft/types.js';
import { MqttTransport } from '../../runtime/cluster/transport/mqtt-transport.js';
import { startAedes } from '../helpers/aedes-broker.js';
import { waitFor } from '../helpers/wait-for.js';

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

interface HostSet {
  readonly hosts: Map<string, RaftHost>;
  readonly kvs: Map<string, Kv>;
  /** a host on its own files and broker; `over` changes its options */
  make(id: string, seed: number, over?: Partial<RaftHostOptions>): RaftHost;
  leaderOf(): string | undefined;
  /** a write through whoever leads now, tried again if the leader changed under it (a repeated put changes nothing) */
  put(k: string, v: string): Promise<void>;
}

async function hostSet(t: Test, ids: string[]): Promise<HostSet> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-host-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const urls: Record<string, string> = {};
  for (const id of ids) urls[id] = (await startAedes(t)).url;
  const kvs = new Map<string, Kv>();
  const hosts = new Map<string, RaftHost>();
  const make = (id: string, seed: number, over: Partial<RaftHostOptions> = {}) => {
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
      ...over,
    });
    hosts.set(id, host);
    t.teardown(() => host.stop());
    return host;
  };
  const leaderOf = () => [...hosts].find(([, h]) => h.status()?.role === 'leader')?.[0];
  const put = async (k: string, v: string) => {
    await waitFor(
      async () => {
        const leader = leaderOf();
        if (!leader) return false;
        await hosts.get(leader)!.propose(JSON.stringify({ k, v }));
        return true;
      },
      30_000,
      `the write ${k}=${v} through the leader of the moment`,
    );
  };
  return { hosts, kvs, make, leaderOf, put };
}

t.test('three hosts over MQTT: elect, commit, read, fail over, recover from disk', async (t) => {
  const ids = ['g1', 'g2', 'g3'];
  const { hosts, kvs, make, leaderOf, put } = await hostSet(t, ids);
  await Promise.all(ids.map((id, i) => make(id, i + 1).start()));
  await waitFor(leaderOf, 20_000, 'a leader');
  for (let i = 0; i < 30; i++) await put(`k${i % 3}`, String(i));
  // the leader of the moment (on a loaded machine it may have changed during the writes)
  const first = await waitFor(leaderOf, 20_000, 'a leader');
  const follower = ids.find((id) => id !== first)!;
  await hosts.get(follower)!.read();
  t.equal(kvs.get(follower)!.data.get('k2'), '29', 'a read through a follower sees the last acknowledged write');
  await hosts.get(first)!.stop();
  hosts.delete(first);
  const second = await waitFor(leaderOf, 20_000, 'a new leader');
  t.not(second, first);
  await put('after', 'failover');
  const restarted = make(first, 99);
  await restarted.start();
  t.ok(
    (restarted.status()?.lastIndex ?? 0) >= 30 || (restarted.status()?.snapshotIndex ?? 0) > 0,
    'log recovered from disk',
  );
  await waitFor(() => kvs.get(first)!.data.get('after') === 'failover', 20_000, 'the restarted node to catch up');
  t.equal(kvs.get(first)!.data.get('k2'), '29');
});

t.test('a read started while no leader is known waits for the next leader instead of failing', async (t) => {
  const ids = ['e1', 'e2', 'e3'];
  const { hosts, kvs, make, leaderOf, put } = await hostSet(t, ids);
  // generous limits: the read must outlive the restart of a peer on a loaded machine
  const patient = { requestTimeoutMs: 60_000 };
  await Promise.all(ids.map((id, i) => make(id, i + 11, patient).start()));
  await waitFor(leaderOf, 20_000, 'a leader');
  await put('x', 'before the election');
  // stop two of three: the survivor has no quorum, so no leader until a peer comes back
  const survivor = ids.find((id) => id !== leaderOf())!;
  const stopped = ids.filter((id) => id !== survivor);
  for (const id of stopped) await hosts.get(id)!.stop();
  const alone = hosts.get(survivor)!;
  await waitFor(() => alone.status()?.leader === '', 20_000, `${survivor} to lose its leader`);
  let settled = 'pending';
  const read = alone.read().then(
    () => {
      settled = 'resolved';
    },
    (e: Error) => {
      settled = `rejected: ${e.message}`;
      throw e;
    },
  );
  const leader = alone.whenLeader();
  const back = make(stopped[0]!, 21, patient);
  await back.start();
  await read;
  t.equal(settled, 'resolved', 'the read waited through the election and answered');
  t.ok(await leader, `whenLeader waited for the new leader too (${await leader})`);
  t.equal(kvs.get(survivor)!.data.get('x'), 'before the election', 'and it sees the write acknowledged before');
});

t.test('without a quorum a read fails after leaderWaitMs with an error naming it', async (t) => {
  const { hosts, make } = await hostSet(t, ['q1', 'q2', 'q3']);
  const lonely = make('q1', 31, { leaderWaitMs: 300, requestTimeoutMs: 60_000 });
  await lonely.start();
  await t.rejects(lonely.read(), /no leader to serve a read after 300 ms \(leaderWaitMs\) \[node=q1\]/);
  await t.rejects(lonely.whenLeader(), /no leader known after 300 ms \(leaderWaitMs\) \[node=q1\]/);
  t.equal(hosts.size, 1, 'q2 and q3 never started');
});

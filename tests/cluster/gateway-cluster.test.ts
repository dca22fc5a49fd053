import t from 'tap';
import { AgentClient } from '../../sdk/index.js';
import { runCli } from '../helpers/cli.js';
import {
  callNode as call,
  type ClusterNode as Node,
  setupClusterNodes,
  startClusterNode as start,
} from '../helpers/gateway-cluster-procs.js';
import type { Teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

interface Status {
  nodeId: string;
  role: string;
  term: number;
  leader: string | null;
  commit: number;
  applied: number;
  members: { id: string; voter: boolean; gateway: boolean; lag?: number }[];
}

const IDS = ['g1', 'g2', 'g3'];

const setup = (t: Teardown) => setupClusterNodes(t, { ids: IDS, clusterId: 'test', prefix: 'agentos-gwc-' });

/** one leader that every listed node agrees on, in one term */
async function agreedLeader(nodes: Node[], what: string, notId?: string): Promise<Status> {
  return waitFor(
    async () => {
      const all = await Promise.all(nodes.map((n) => call<Status>(n.url, 'cluster.status', { local: true })));
      const leader = all.find((s) => s.role === 'leader');
      if (!leader || leader.nodeId === notId) return undefined;
      return all.every((s) => s.leader === leader.nodeId && s.term === leader.term) ? leader : undefined;
    },
    45_000,
    what,
    200,
  );
}

t.setTimeout(120_000);
t.test(
  'three gateways: leader elected, a committed task survives kill -9 of the leader, restart catches up',
  async (t) => {
    const nodes = await setup(t);
    for (const [i, p] of (await Promise.all(nodes.map((n) => start(t, n)))).entries()) nodes[i]!.proc = p;

    const first = await agreedLeader(nodes, 'one leader agreed by all three gateways');
    // On a loaded machine the fast profile may elect again between two calls; the CLI must name the leader and term
    // the gateways agree on at the time it runs, so compare it with a fresh agreement each try.
    const named = await waitFor(
      async () => {
        const status = await runCli(['cluster', 'status', '--url', nodes[0]!.url]);
        if (status.code !== 0) throw new Error(`agentos cluster status exits ${status.code}: ${status.stderr}`);
        const now = await agreedLeader(nodes, 'one leader agreed by all three gateways');
        return new RegExp(`leader ${now.nodeId}, term ${now.term}`).test(status.stdout) ? now : undefined;
      },
      45_000,
      'agentos cluster status names the agreed leader and term',
      200,
    );
    t.ok(named.term >= first.term, `the CLI names the leader ${named.nodeId} and term ${named.term}`);

    // submitted through a follower, which forwards it to the leader
    const follower = nodes.find((n) => n.id !== first.nodeId)!;
    const submit = await runCli(['cluster', 'submit', 'task-1', 'vision.detect', '--url', follower.url, '--json']);
    t.equal(submit.code, 0, `agentos cluster submit exits 0 ${submit.stderr}`);
    const submitted = JSON.parse(submit.stdout) as { index: number; ok: boolean };
    t.equal(submitted.ok, true, 'the task is committed and applied');

    // an agent that registers on a follower is placed there in the replicated state (fed through the leader)
    const cam = new AgentClient({
      url: follower.url,
      agentId: 'cam-1',
      kind: 'device',
      capabilities: ['x'],
      stateDir: await tempDir(t, 'agentos-cam-'),
    });
    let runs = 0;
    cam.onTask<{ n: number }, { doubled: number }>('x', async (input) => {
      runs++;
      return { doubled: input.n * 2 };
    });
    t.teardown(() => cam.stop());
    await cam.start();
    await cam.waitConnected(20_000);
    // every gateway is recorded as a member by the leader
    await waitFor(
      async () => {
        const s = await call<{ gateways: Record<string, unknown>; agents: Record<string, string> }>(
          follower.url,
          'cluster.state',
        );
        return IDS.every((id) => s.gateways[id]) && s.agents['cam-1'] === follower.id;
      },
      30_000,
      'the three gateways recorded and cam-1 placed on its gateway',
      200,
    );
    t.pass(`gateways recorded as members; cam-1 placed on ${follower.id}`);

    // the leader now (it may have changed since `first` on a loaded machine)
    const before = await agreedLeader(nodes, 'the leader before the kill');
    const leaderNode = nodes.find((n) => n.id === before.nodeId)!;
    await leaderNode.proc!.stop('SIGKILL');
    const rest = nodes.filter((n) => n !== leaderNode);
    const second = await agreedLeader(rest, 'a new leader among the two survivors', leaderNode.id);
    t.ok(second.term > before.term, `new leader ${second.nodeId} in a later term (${before.term} -> ${second.term})`);

    const state = await call<{
      tasks: Record<string, { submittedIndex: number; status: string; attempts: number }>;
      agents: Record<string, string>;
    }>(rest[0]!.url, 'cluster.state');
    t.equal(state.agents['cam-1'], follower.id, 'the agent placement survives the failover');
    t.same(Object.keys(state.tasks), ['task-1'], 'the committed task is there, once');
    t.equal(state.tasks['task-1']!.submittedIndex, submitted.index, 'at the index it was committed at');
    const again = await call<{ ok: boolean; reason?: string }>(rest[1]!.url, 'cluster.tasks.submit', {
      id: 'task-1',
      capability: 'vision.detect',
    });
    t.equal(again.ok, false, 'a retried submit is refused by the state machine, not applied twice');
    t.match(again.reason, /already submitted/);

    leaderNode.proc = await start(t, leaderNode);
    const after = await call<{ index: number }>(rest[0]!.url, 'cluster.tasks.submit', {
      id: 'task-2',
      capability: 'x',
      input: { n: 21 },
    });
    await waitFor(
      async () => {
        // caught up and following a leader: on a loaded machine the leader may no longer be `second`
        const s = await call<Status>(leaderNode.url, 'cluster.status', { local: true });
        return s.applied >= after.index && s.leader !== null;
      },
      45_000,
      'the restarted gateway to catch up with the leader',
      200,
    );
    const caught = await call<{ tasks: Record<string, { submittedIndex: number }> }>(leaderNode.url, 'cluster.state', {
      stale: true,
    });
    t.same(Object.keys(caught.tasks).sort(), ['task-1', 'task-2'], 'the restarted gateway holds both tasks');
    t.equal(caught.tasks['task-1']!.submittedIndex, submitted.index, 'task-1 at the same index');

    // the leader assigns task-2 to the only agent with capability x (cam-1); its gateway runs it on its own scheduler
    const placed = await waitFor(
      async () => {
        const s = await call<{ tasks: Record<string, { status: string; gatewayId?: string; agentId?: string }> }>(
          rest[0]!.url,
          'cluster.state',
        );
        // it may be done already: the assignment fields stay
        return ['assigned', 'done'].includes(s.tasks['task-2']?.status ?? '') ? s : undefined;
      },
      30_000,
      'the leader to assign task-2',
      200,
    );
    t.match(placed.tasks['task-2'], { gatewayId: follower.id, agentId: 'cam-1' }, 'assigned to cam-1 on its gateway');
    t.equal(placed.tasks['task-1']?.status, 'queued', 'task-1 waits: no agent has vision.detect');
    const local = await waitFor(
      () => call<{ task: { taskId: string; capability: string } }>(follower.url, 'tasks.get', { taskId: 'task-2' }),
      30_000,
      'task-2 handed to the local scheduler of its gateway',
      200,
    );
    t.equal(local.task.capability, 'x', 'the gateway scheduler holds the cluster task under the same id');
    const finished = await waitFor(
      async () => {
        const s = await call<{ tasks: Record<string, { status: string; result?: unknown }> }>(
          rest[0]!.url,
          'cluster.state',
        );
        return s.tasks['task-2']?.status === 'done' ? s.tasks['task-2'] : undefined;
      },
      30_000,
      'task-2 to be done in the cluster state',
      200,
    );
    t.same(finished.result, { doubled: 42 }, 'the agent result is committed as the task result');
    t.equal(runs, 1, 'the agent ran the cluster task once');

    await Promise.all(nodes.map((n) => n.proc?.stop('SIGTERM')));
  },
);

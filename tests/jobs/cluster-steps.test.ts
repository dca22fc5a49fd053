import t from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { JobRecord } from '../../runtime/jobs/job-record.js';
import { specHash } from '../../runtime/jobs/job-spec.js';
import { errorBody } from '../helpers/api-error.js';
import { startGateway } from '../helpers/gateway.js';
import {
  callNode as call,
  type ClusterNode as Node,
  setupClusterNodes,
  startClusterNode as start,
} from '../helpers/gateway-cluster-procs.js';
import type { Teardown } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait-for.js';
import { gate, sdkAgent } from '../scheduler/live-fixtures.js';
import { apiClient, stepOf } from './job-fixtures.js';

const IDS = ['g1', 'g2', 'g3'];

const setup = (t: Teardown) =>
  setupClusterNodes(t, {
    ids: IDS,
    clusterId: 'jobs',
    prefix: 'agentos-jobc-',
    extra: { scheduler: { policy: 'fifo' }, jobs: { reconcileIntervalMs: 100 } },
  });

/** local prep (a) -> cluster step on the remote capability (b) -> local finish (c) */
function threeSteps(jobId: string, n: number) {
  return {
    jobId,
    steps: [
      { id: 'a', capability: 'prep', input: { n } },
      { id: 'b', capability: 'remote.times', input: { k: 10 }, dependsOn: ['a'], where: 'cluster' },
      { id: 'c', capability: 'prep', input: { plus: 1 }, dependsOn: ['b'] },
    ],
  };
}

async function jobEnded(url: string, jobId: string): Promise<JobRecord> {
  let last: JobRecord | undefined;
  try {
    return await waitFor(
      async () => {
        last = (await call<{ job: JobRecord }>(url, 'jobs.get', { jobId })).job;
        return last.state === 'running' ? undefined : last;
      },
      60_000,
      `job ${jobId} to end`,
      100,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

t.test('without a cluster a cluster step is refused at submit, naming the field', async (t) => {
  const gw = await startGateway(t);
  const api = await apiClient(t, gw);
  const step = { id: 'a', capability: 'x' };
  const own = await errorBody(
    api.call('jobs.submit', { steps: [step, { id: 'b', capability: 'x', where: 'cluster' }] }),
  );
  t.match(own, { code: 'bad_message', field: 'params.steps[1].where', message: /cluster\.enabled is false/ });
  const byDefault = await errorBody(api.call('jobs.submit', { where: 'cluster', steps: [step] }));
  t.match(byDefault, { code: 'bad_message', field: 'params.where' });
  const local = await api.call<{ created: boolean }>('jobs.submit', {
    where: 'cluster',
    steps: [{ ...step, where: 'local' }],
  });
  t.equal(local.created, true, 'a step choosing local under a cluster default is fine');
  const bad = await errorBody(api.call('jobs.submit', { steps: [{ ...step, where: 'moon' }] }));
  t.match(bad, { code: 'bad_message', field: 'params.steps[0].where' }, 'the schema lists the values');
});

t.test('the spec hash: a job-level where equals it on each step; where: local is the default', async (t) => {
  const s = { id: 'a', capability: 'x' };
  t.equal(specHash({ where: 'cluster', steps: [s] }), specHash({ steps: [{ ...s, where: 'cluster' }] }));
  t.equal(specHash({ steps: [{ ...s, where: 'local' }] }), specHash({ steps: [s] }));
  t.not(specHash({ steps: [{ ...s, where: 'cluster' }] }), specHash({ steps: [s] }));
});

t.setTimeout(180_000);
t.test('three gateways: a cluster step runs on the gateway with the capability; restart-safe', async (t) => {
  const top = t;
  const nodes = await setup(t);
  for (const [i, p] of (await Promise.all(nodes.map((n) => start(t, n)))).entries()) nodes[i]!.proc = p;
  const [g1, g2] = nodes as [Node, Node, Node];

  const prep = await sdkAgent(t, g1.url, 'prep-1', { capabilities: ['prep'] });
  const prepRuns: unknown[] = [];
  prep.onTask<{ n?: number; plus?: number; from?: { b?: number } }, number>('prep', (input) => {
    prepRuns.push(input);
    return input.n ?? (input.from?.b ?? 0) + (input.plus ?? 0);
  });
  const remote = await sdkAgent(t, g2.url, 'remote-1', { capabilities: ['remote.times'] });
  const remoteRuns: Array<{ k: number; from: { a: number } }> = [];
  let hold: ReturnType<typeof gate<void>> | undefined;
  remote.onTask<{ k: number; from: { a: number } }, number>('remote.times', async (input) => {
    remoteRuns.push(input);
    if (input.k < 0) throw new Error('k must not be negative');
    await hold?.promise;
    return input.from.a * input.k;
  });
  // both agents placed on their gateways in the replicated state (read through g1)
  await waitFor(
    async () => {
      const s = await call<{ gateways: Record<string, unknown>; agents: Record<string, string> }>(
        g1.url,
        'cluster.state',
      );
      return IDS.every((id) => s.gateways[id]) && s.agents['prep-1'] === 'g1' && s.agents['remote-1'] === 'g2';
    },
    45_000,
    'three gateways recorded, prep-1 placed on g1 and remote-1 on g2',
    200,
  );

  await t.test('local -> cluster -> local: the middle step runs on g2, g1 aggregates all three', async (t) => {
    const r = await call<{ created: boolean }>(g1.url, 'jobs.submit', threeSteps('mixed-1', 4));
    t.equal(r.created, true);
    const job = await jobEnded(g1.url, 'mixed-1');
    t.equal(job.state, 'done', job.reason ?? '');
    t.same(job.result, { steps: { a: 4, b: 40, c: 41 } }, 'b got a through the cluster, c got b');
    const b = stepOf(job, 'b');
    t.match(b, { state: 'done', taskState: 'done', gatewayId: 'g2', spec: { where: 'cluster' } });
    t.match(b.taskId, /^mixed-1\.[0-9a-f]{12}\.c1$/, 'the cluster task id: job, hash of gateway and job, step');
    t.match(stepOf(job, 'a'), { taskId: 'mixed-1.s0' }, 'local steps keep their scheduler task ids');
    const state = await call<{ tasks: Record<string, { status: string; gatewayId?: string; agentId?: string }> }>(
      g1.url,
      'cluster.state',
    );
    t.match(state.tasks[b.taskId!], { status: 'done', gatewayId: 'g2', agentId: 'remote-1', result: 40 });
    t.same(remoteRuns, [{ k: 10, from: { a: 4 } }], 'the remote agent ran the step once with its input');
    const again = await call<{ created: boolean }>(g1.url, 'jobs.submit', threeSteps('mixed-1', 4));
    t.equal(again.created, false, 'a repeated submit returns the job');
  });

  await t.test('cluster-only checks with the cluster on', async (t) => {
    const api = await ApiClient.connect({ url: g1.url, timeoutMs: 8000 });
    t.teardown(() => api.close());
    const body = await errorBody(
      api.call('jobs.submit', { where: 'cluster', steps: [{ id: 'a', capability: 'x', timeoutMs: 1000 }] }),
    );
    t.match(body, { code: 'bad_message', field: 'params.steps[0].timeoutMs', message: /local steps only/ });
  });

  await t.test('g1 restarts while its cluster step runs on g2: it resumes following and ends the job', async (t) => {
    hold = gate();
    remoteRuns.length = 0;
    prepRuns.length = 0;
    await call(g1.url, 'jobs.submit', threeSteps('mixed-2', 7));
    const running = await waitFor(
      async () => {
        const j = (await call<{ job: JobRecord }>(g1.url, 'jobs.get', { jobId: 'mixed-2' })).job;
        return stepOf(j, 'b').taskState === 'assigned' && remoteRuns.length === 1 ? j : undefined;
      },
      45_000,
      'mixed-2 step b assigned in the cluster and running on remote-1',
      100,
    );
    t.equal(stepOf(running, 'b').gatewayId, 'g2');
    await g1.proc!.stop('SIGTERM');
    hold.open(); // b ends while g1 is down: its task.finish is committed by g2 through the remaining two
    g1.proc = await start(top, g1); // stopped when the whole test ends, not this subtest
    const job = await jobEnded(g1.url, 'mixed-2');
    t.equal(job.state, 'done', job.reason ?? '');
    t.same(job.result, { steps: { a: 7, b: 70, c: 71 } });
    t.equal(remoteRuns.length, 1, 'the cluster step ran once');
    t.equal(prepRuns.length, 2, 'each local step ran once');
    const resumed = g1.proc!.logs.find((l) => l['msg'] === 'jobs: resumed from the store');
    t.match(resumed, { running: 1 }, 'the restarted g1 resumed the job from its store');
  });

  await t.test('a failing cluster step fails with its reason and skips its dependent', async (t) => {
    const spec = threeSteps('mixed-3', 2);
    const steps = spec.steps.map((s) => (s.id === 'b' ? { ...s, input: { k: -1 } } : s));
    await call(g1.url, 'jobs.submit', { ...spec, steps });
    const job = await jobEnded(g1.url, 'mixed-3');
    t.match(job, { state: 'failed', reason: 'step "b" failed' });
    t.match(stepOf(job, 'b'), {
      state: 'failed',
      taskState: 'failed',
      reason: /failed on g2: .*k must not be negative/,
    });
    t.match(stepOf(job, 'c'), { state: 'skipped', reason: 'step "b" failed' });
  });

  await Promise.all(nodes.map((n) => n.proc?.stop('SIGTERM')));
});

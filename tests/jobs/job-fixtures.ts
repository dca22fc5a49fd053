// Shared pieces of the jobs tests: an API client on a test gateway and a wait on one job's state.
import type { Test } from 'tap';
import { ApiClient } from '../../runtime/bus/api-client.js';
import type { JobRecord } from '../../runtime/jobs/job-record.js';
import type { TestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/wait-for.js';

export async function apiClient(t: Test, gw: TestGateway): Promise<ApiClient> {
  const api = await ApiClient.connect({ url: gw.url, timeoutMs: 15000 });
  t.teardown(() => api.close());
  return api;
}

export async function getJob(api: ApiClient, jobId: string): Promise<JobRecord> {
  return (await api.call<{ job: JobRecord }>('jobs.get', { jobId })).job;
}

/** polls the job until `predicate` holds; the timeout names the job and its last state */
export async function waitJob(
  api: ApiClient,
  jobId: string,
  predicate: (j: JobRecord) => boolean,
  what: string,
  timeoutMs = 20000,
): Promise<JobRecord> {
  let last: JobRecord | undefined;
  try {
    return await waitFor(
      async () => {
        last = await getJob(api, jobId);
        return predicate(last) ? last : undefined;
      },
      timeoutMs,
      `job ${jobId}: ${what}`,
      50,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`);
  }
}

export function stepOf(job: JobRecord, id: string) {
  const step = job.steps.find((s) => s.spec.id === id);
  if (!step) throw new Error(`job ${job.id} has no step ${id}`);
  return step;
}

/** the diamond a -> b, a -> c, {b, c} -> d */
export function diamond(capability: string, jobId: string, extra: Record<string, unknown> = {}) {
  return {
    jobId,
    steps: [
      { id: 'a', capability, input: { op: 'seed', n: 2 } },
      { id: 'b', capability, input: { op: 'times', k: 3 }, dependsOn: ['a'] },
      { id: 'c', capability, input: { op: 'times', k: 5 }, dependsOn: ['a'] },
      { id: 'd', capability, input: { op: 'add' }, dependsOn: ['b', 'c'] },
    ],
    ...extra,
  };
}

export interface MathInput {
  op: 'seed' | 'times' | 'add' | 'fail';
  n?: number;
  k?: number;
  from?: Record<string, number>;
}

/** the diamond's arithmetic: a = n, b = a*3, c = a*5, d = b + c */
export function mathTask(input: MathInput): number {
  const from = input.from ?? {};
  if (input.op === 'seed') return input.n ?? 0;
  if (input.op === 'times') return (Object.values(from)[0] ?? 0) * (input.k ?? 1);
  if (input.op === 'add') return Object.values(from).reduce((x, y) => x + y, 0);
  throw new Error('asked to fail');
}

// Checks a job spec beyond its JSON Schema (which the API router applies first): unique step ids, dependencies that
// exist, no cycle (naming the steps that form it), the configured limits; and the hash that makes a repeated jobId
// idempotent. Pure: no store, no bus. Every error names the field as `params.steps[i].field`.
import { createHash } from 'node:crypto';
import { ApiError } from '../bus/api-router.js';
import type { JobStepSpec, JobStepWhere, JobSubmitParams } from '../bus/schemas/job-messages.js';
import { jsonBytes } from './job-record.js';

export interface SpecLimits {
  stepsPerJobMax: number;
  stepInputBytesMax: number;
}

export function validateJobSpec(p: JobSubmitParams, limits: SpecLimits): void {
  if (p.steps.length > limits.stepsPerJobMax) {
    throw new ApiError(
      'limit_reached',
      `job has ${p.steps.length} steps; the limit is ${limits.stepsPerJobMax} (jobs.stepsPerJobMax)`,
      'params.steps',
    );
  }
  const index = new Map<string, number>();
  p.steps.forEach((s, i) => {
    const first = index.get(s.id);
    if (first !== undefined) {
      throw new ApiError('bad_message', `duplicate step id "${s.id}" (also steps[${first}])`, `params.steps[${i}].id`);
    }
    index.set(s.id, i);
  });
  p.steps.forEach((s, i) => {
    (s.dependsOn ?? []).forEach((dep, j) => {
      const field = `params.steps[${i}].dependsOn[${j}]`;
      if (!index.has(dep)) throw new ApiError('bad_message', `step "${s.id}" depends on unknown step "${dep}"`, field);
      if (dep === s.id) throw new ApiError('bad_message', `step "${s.id}" depends on itself`, field);
    });
    const bytes = jsonBytes(s.input);
    if (bytes > limits.stepInputBytesMax) {
      throw new ApiError(
        'too_large',
        `step "${s.id}" input is ${bytes} bytes; the limit is ${limits.stepInputBytesMax} (jobs.stepInputBytesMax)`,
        `params.steps[${i}].input`,
      );
    }
    if (s.input !== undefined && Object.hasOwn(s.input, 'from') && (s.dependsOn?.length ?? 0) > 0) {
      throw new ApiError(
        'bad_message',
        `step "${s.id}" input.from is reserved for its dependencies' results`,
        `params.steps[${i}].input.from`,
      );
    }
  });
  const cycle = findCycle(p.steps.map((s) => ({ id: s.id, deps: s.dependsOn ?? [] })));
  if (cycle) {
    const i = index.get(cycle[0] as string) ?? 0;
    throw new ApiError('bad_message', `steps form a cycle: ${cycle.join(' -> ')}`, `params.steps[${i}].dependsOn`);
  }
}

/** the first cycle found, as step ids with the first repeated at the end (a -> b -> a), or null for a DAG */
export function findCycle(nodes: ReadonlyArray<{ id: string; deps: readonly string[] }>): string[] | null {
  const deps = new Map(nodes.map((n) => [n.id, n.deps]));
  // 1 = on the current path, 2 = finished; iterative so 4096 chained steps do not overflow the stack
  const mark = new Map<string, 1 | 2>();
  for (const root of nodes) {
    if (mark.has(root.id)) continue;
    const path: string[] = [root.id];
    const next: number[] = [0];
    mark.set(root.id, 1);
    while (path.length > 0) {
      const top = path.length - 1;
      const id = path[top] as string;
      const list = deps.get(id) ?? [];
      const k = next[top] as number;
      if (k >= list.length) {
        mark.set(id, 2);
        path.pop();
        next.pop();
        continue;
      }
      next[top] = k + 1;
      const dep = list[k] as string;
      const m = mark.get(dep);
      if (m === 1) return [...path.slice(path.indexOf(dep)), dep];
      if (m === undefined) {
        mark.set(dep, 1);
        path.push(dep);
        next.push(0);
      }
    }
  }
  return null;
}

/** a step's `where`: its own, else the job's, else local */
export function stepWhere(p: Pick<JobSubmitParams, 'where'>, step: JobStepSpec): JobStepWhere {
  return step.where ?? p.where ?? 'local';
}

/**
 * Cluster steps: refused at submit (not at run time) when this gateway is not in a cluster, naming the field that
 * asked for it (the step's `where`, or the job's default); `demand` and `timeoutMs` are the local scheduler's and a
 * cluster task has neither, so a cluster step giving one is refused rather than silently ignored.
 */
export function validateWhere(p: JobSubmitParams, clusterEnabled: boolean): void {
  p.steps.forEach((s, i) => {
    if (stepWhere(p, s) !== 'cluster') return;
    const field = s.where === undefined ? 'params.where' : `params.steps[${i}].where`;
    if (!clusterEnabled) {
      throw new ApiError(
        'bad_message',
        `step "${s.id}" runs in the cluster (where: "cluster") but this gateway is not in one (cluster.enabled is false)`,
        field,
      );
    }
    for (const key of ['demand', 'timeoutMs'] as const) {
      if (s[key] === undefined) continue;
      throw new ApiError(
        'bad_message',
        `step "${s.id}" runs in the cluster: ${key} is for local steps only (a cluster task has none)`,
        `params.steps[${i}].${key}`,
      );
    }
  });
}

/**
 * sha256 of the spec with defaults filled and object keys sorted, so key order does not make another job. `where` is
 * resolved per step and kept only when it is 'cluster', so a job-level default equals the same `where` on each step
 * and a spec without `where` hashes as it did before the field existed (stored jobs keep their hash).
 */
export function specHash(p: JobSubmitParams): string {
  const normalized = {
    aggregate: p.aggregate ?? 'collect',
    inputFrom: p.inputFrom ?? 'dependencies',
    steps: p.steps.map((s) => {
      const { where: _where, ...rest } = s;
      return stepWhere(p, s) === 'cluster' ? { ...rest, where: 'cluster' } : rest;
    }),
  };
  return createHash('sha256').update(stableJson(normalized)).digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

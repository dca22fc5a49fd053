// The pure parts of jobs: spec checks (each error names its field), cycle finding, the spec hash, the reducers.
import t from 'tap';
import { ApiError } from '../../runtime/bus/api-router.js';
import type { JobSubmitParams } from '../../runtime/bus/schemas/job-messages.js';
import { aggregate } from '../../runtime/jobs/aggregate.js';
import type { StepRecord } from '../../runtime/jobs/job-record.js';
import { findCycle, specHash, validateJobSpec } from '../../runtime/jobs/job-spec.js';

const limits = { stepsPerJobMax: 8, stepInputBytesMax: 64 };

function errorOf(p: JobSubmitParams): { code: string; message: string; field: string | undefined } {
  try {
    validateJobSpec(p, limits);
  } catch (err) {
    if (err instanceof ApiError) return { ...err.body, field: err.body.field };
    throw err;
  }
  throw new Error('valid');
}

t.test('spec errors name the field', async (t) => {
  t.match(
    errorOf({
      steps: [
        { id: 'a', capability: 'x' },
        { id: 'a', capability: 'x' },
      ],
    }),
    {
      message: /duplicate step id "a"/,
      field: 'params.steps[1].id',
    },
  );
  t.match(errorOf({ steps: [{ id: 'a', capability: 'x', dependsOn: ['zz'] }] }), {
    message: /unknown step "zz"/,
    field: 'params.steps[0].dependsOn[0]',
  });
  t.match(errorOf({ steps: [{ id: 'a', capability: 'x', dependsOn: ['a'] }] }), {
    field: 'params.steps[0].dependsOn[0]',
  });
  const cyc = errorOf({
    steps: [
      { id: 'a', capability: 'x' },
      { id: 'b', capability: 'x', dependsOn: ['a', 'd'] },
      { id: 'c', capability: 'x', dependsOn: ['b'] },
      { id: 'd', capability: 'x', dependsOn: ['c'] },
    ],
  });
  t.match(cyc.message, /cycle: b -> d -> c -> b/);
  t.equal(cyc.field, 'params.steps[1].dependsOn');
  const many = Array.from({ length: 9 }, (_, i) => ({ id: `s${i}`, capability: 'x' }));
  t.match(errorOf({ steps: many }), { code: 'limit_reached', field: 'params.steps', message: /jobs\.stepsPerJobMax/ });
  t.match(errorOf({ steps: [{ id: 'a', capability: 'x', input: { big: 'y'.repeat(100) } }] }), {
    code: 'too_large',
    field: 'params.steps[0].input',
  });
  t.match(
    errorOf({
      steps: [
        { id: 'a', capability: 'x' },
        { id: 'b', capability: 'x', dependsOn: ['a'], input: { from: 1 } },
      ],
    }),
    {
      field: 'params.steps[1].input.from',
    },
  );
});

t.test('findCycle on a DAG and a long chain', async (t) => {
  t.equal(
    findCycle([
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['a', 'b'] },
    ]),
    null,
  );
  const chain = Array.from({ length: 5000 }, (_, i) => ({ id: `s${i}`, deps: i > 0 ? [`s${i - 1}`] : ['s4999'] }));
  t.equal(findCycle(chain)?.length, 5001, 'a 5000-step ring, no stack overflow');
});

t.test('spec hash ignores key order and fills defaults', async (t) => {
  const a = specHash({ steps: [{ id: 'a', capability: 'x', input: { p: 1, q: 2 } }] });
  const b = specHash({ aggregate: 'collect', steps: [{ capability: 'x', input: { q: 2, p: 1 }, id: 'a' }] });
  t.equal(a, b);
  t.not(a, specHash({ steps: [{ id: 'a', capability: 'x', input: { p: 1, q: 3 } }] }));
});

function step(id: string, result: unknown, dependsOn: string[] = []): StepRecord {
  return {
    spec: { id, capability: 'x', dependsOn },
    state: 'done',
    taskId: null,
    taskState: 'done',
    result,
    resultBytes: 0,
    reason: null,
    startedAtMs: null,
    finishedAtMs: null,
  };
}

t.test('reducers', async (t) => {
  const steps = [step('a', 1), step('b', 2, ['a']), step('c', 3, ['a'])];
  t.same(aggregate('collect', steps), { ok: true, result: { steps: { a: 1, b: 2, c: 3 } } });
  t.same(aggregate('sum', steps), { ok: true, result: { value: 5, steps: ['b', 'c'] } }, 'final steps only');
  t.same(aggregate('concat', [step('a', [1]), step('b', [2, 3])]), {
    ok: true,
    result: { value: [1, 2, 3], steps: ['a', 'b'] },
  });
  t.match(aggregate('sum', [step('a', 'x')]), { ok: false, reason: /step "a" result is not a finite number/ });
  t.match(aggregate('concat', [step('a', 1)]), { ok: false, reason: /step "a" result is not an array/ });
});

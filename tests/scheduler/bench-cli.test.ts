// The scheduling benchmark as a real child process on a tiny sweep: its JSON line, CSV and SVG, and its refusals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = mkdtempSync(join(tmpdir(), 'agentos-bench-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));

function bench(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scheduler.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('tiny sweep: last line is one JSON object with the policies map; CSV and SVG written', async (t) => {
  const r = bench([
    ...['--tasks', '150', '--seeds', '1001,1002', '--loads', '0.5,1.2'],
    ...['--policies', 'fifo,sjf,hungarian', '--resamples', '200', '--out', out],
  ]);
  t.equal(r.code, 0, r.stderr);
  const last = r.stdout.trim().split('\n').at(-1)!;
  const j = JSON.parse(last);
  t.same(Object.keys(j.policies), ['fifo', 'sjf', 'hungarian']);
  for (const p of ['fifo', 'sjf', 'hungarian']) {
    for (const load of ['0.5', '1.2']) {
      const c = j.policies[p][load];
      t.ok(c.ci_low <= c.mean_slowdown && c.mean_slowdown <= c.ci_high, `${p} ${load}: CI brackets the mean`);
      t.ok(c.mean_slowdown >= 1 - 1e-9, `${p} ${load}: slowdown >= 1`);
      for (const k of ['p95_slowdown', 'mean_completion_ms', 'utilization', 'deadline_miss_rate'])
        t.type(c[k], 'number');
    }
  }
  t.same(j.seeds, [1001, 1002]);
  t.type(j.placements_per_s, 'number');
  t.ok(
    j.tuning_seeds.every((s: number) => !j.seeds.includes(s)),
    'tuning and reporting seeds are disjoint',
  );
  const csv = readFileSync(j.csv, 'utf8').trim().split('\n');
  t.equal(csv.length, 1 + 3 * 2, 'header + one row per policy and load');
  t.match(csv[0], /^workload,policy,load,seeds,mean_slowdown,ci_low,ci_high,p95_slowdown/);
  t.ok(existsSync(j.svg));
  t.match(readFileSync(j.svg, 'utf8'), /<svg[^>]*>[\s\S]*polyline[\s\S]*hungarian[\s\S]*<\/svg>/);
});

t.test('refusals: tuning seeds, unknown policies and flags', async (t) => {
  const tuned = JSON.parse(readFileSync(join(root, 'runtime/scheduler/policies/tuned.json'), 'utf8'));
  const seed = String(tuned.seeds[0]);
  const a = bench(['--seeds', seed, '--policies', 'fifo', '--tasks', '50', '--out', out]);
  t.not(a.code, 0);
  t.match(a.stderr, new RegExp(`reporting seeds ${seed} were used for tuning`));
  const b = bench(['--policies', 'fifo,nope', '--out', out]);
  t.match(b.stderr, /--policies: unknown nope; valid: random, fifo, round-robin, least-loaded, sjf, tetris, hungarian/);
  const c = bench(['--lods', '0.5']);
  t.match(c.stderr, /unknown flag --lods/);
});

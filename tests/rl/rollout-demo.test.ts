// The rollout teacher as the trainer's demonstrator: `--demo rollout[:K/H/terminal]` parses to a RolloutPolicy (bad
// specs name the field), the trainer binds it to each episode's simulator and its decisions are followed (rollouts
// made, demonstration transitions in the replay), and --init accepts the shipped weights file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RolloutPolicy } from '../../models/rl/rollout-policy.js';
import { demoFromSpec, runTraining } from '../../models/rl/train.js';
import { applyRecipe, defaultDqnConfig } from '../../models/rl/train-config.js';
import { train } from '../../models/rl/trainer.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { FEATURE_COUNT } from '../../runtime/scheduler/features.js';

t.test('demo specs', async (t) => {
  const r = demoFromSpec('rollout:6/30/none');
  t.ok(r instanceof RolloutPolicy);
  t.same((r as RolloutPolicy).knobs.candidatesMax, 6);
  t.same((r as RolloutPolicy).knobs.horizonDecisions, 30);
  t.same((r as RolloutPolicy).knobs.terminal, 'none');
  t.same((demoFromSpec('rollout') as RolloutPolicy).knobs.terminal, 'remaining');
  t.same(demoFromSpec('hungarian').name, 'hungarian');
  t.throws(() => demoFromSpec('rollout:x/30'), /K \(candidates\)/);
  t.throws(() => demoFromSpec('rollout:6/30/later'), /terminal/);
  t.throws(() => demoFromSpec('rollout:0/30'), /candidatesMax/);
});

t.test('training follows the rollout teacher on the episode simulator', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-rollout-demo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const w = loadWorkload('train-v1');
  const demo = demoFromSpec('rollout:4/10/remaining') as RolloutPolicy;
  const dqn = { ...applyRecipe(defaultDqnConfig(3), 'v1'), hidden: [16, 8], warmupTransitions: 32, batchSize: 16 };
  dqn.demoStart = 1;
  dqn.demoEnd = 1;
  const ck = train({
    episodes: 2,
    loads: [1.1],
    trainSeedBase: 100,
    valSeeds: [11],
    valLoads: [0.9],
    evalEvery: 2,
    checkpointEvery: 1,
    outDir: dir,
    timeBudgetMs: 300_000,
    scenario: (seed, load) => generateScenario(w, { seed, load, taskCount: 60 }),
    demo,
    dqn,
  });
  t.equal(ck.episode, 2);
  t.ok(demo.stats.decisions > 0, `teacher consulted ${demo.stats.decisions} times`);
  t.ok(demo.stats.rolledOut > 0, `rolled out ${demo.stats.rolledOut} decision points`);
  t.ok(ck.dqn.gradSteps > 0, 'learned from the demonstrations');
  t.ok(Number.isFinite(ck.best?.validation), 'validated');
});

t.test('--init takes the shipped weights file and keeps its network', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-init-weights-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ck = runTraining({
    workload: 'train-v1',
    episodes: 1,
    minutes: 5,
    out: dir,
    seed: 1,
    taskCount: 40,
    version: 'test',
    quiet: true,
    init: join(import.meta.dirname, '..', '..', 'models', 'shipped', 'scheduler.weights.json'),
    recipe: 'v1',
    loads: [0.7],
  });
  t.equal(ck.dqn.config.gamma, 0.95, 'v1 recipe');
  t.same(ck.dqn.online.sizes, [FEATURE_COUNT, 48, 32, 1], 'the shipped network shape');
  t.equal(ck.episode, 1);
});

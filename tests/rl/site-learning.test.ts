// Learning from the site: a trace recorded from a simulated site yields agent speeds close to the true ones, and a
// retrained model replaces the running one (logged) only when it beats it on held-out windows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { retrainAndMaybeSwap } from '../../models/rl/site-swap.js';
import { fitAgentSpeeds, type SiteTrace } from '../../models/rl/site-trace.js';
import { recordSimulatedSite } from '../../models/rl/site-trace-sim.js';
import { defaultDqnConfig } from '../../models/rl/train-config.js';
import { loadWorkload } from '../../models/workloads/files.js';
import { generateScenario } from '../../models/workloads/generate.js';
import { FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import { createPolicy } from '../../runtime/scheduler/policies/registry.js';
import { SwappablePolicy } from '../../runtime/scheduler/swappable-policy.js';

/** What a gateway would have recorded running this scenario with sjf. */
function recordSite(): { trace: SiteTrace; speeds: Map<string, number> } {
  const scenario = generateScenario(loadWorkload('train-v1'), { seed: 31, load: 0.8, taskCount: 500 });
  return {
    trace: recordSimulatedSite(scenario, createPolicy('sjf')),
    speeds: new Map(scenario.agents.map((a) => [a.id, a.speed])),
  };
}

t.test('speeds fitted from a recorded trace', async (t) => {
  const { trace, speeds } = recordSite();
  t.ok(trace.runs.length > 400, `trace has ${trace.runs.length} observed runs`);
  const fitted = fitAgentSpeeds(trace);
  let checked = 0;
  for (const [id, f] of fitted) {
    if (f.runs < 10) continue;
    const truth = speeds.get(id)!;
    // median of est/observed: off by duration noise (median 1) and the link penalty (<= 1 + (1 - link) x bw share)
    t.ok(
      Math.abs(f.speed - truth) / truth < 0.35,
      `${id}: fitted ${f.speed.toFixed(3)} vs true ${truth} (${f.runs} runs)`,
    );
    checked++;
  }
  t.ok(checked >= 5, `${checked} agents with >= 10 runs checked`);
});

t.test('retrained model swaps in only when it beats the running one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-site-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { trace } = recordSite();
  const config = { ...defaultDqnConfig(5), hidden: [16, 8] };
  const base = new Mlp([FEATURE_COUNT, 16, 8, 1], new Rng(5)).toJSON();
  const lines: string[] = [];
  const logger = { info: (m: string) => lines.push(m) };
  const running = new SwappablePolicy(createPolicy('sjf'), logger);

  const same = await retrainAndMaybeSwap(running, {
    trace,
    base,
    config,
    dir,
    version: '0',
    episodes: 0,
    timeBudgetMs: 60_000,
    logger,
  });
  t.equal(same.accepted, false, 'an unchanged model (0 episodes) does not beat itself');
  t.equal(running.swapCount, 0, 'no swap');
  t.match(lines.at(-1), /rejected.*held-out mean slowdown/, 'the rejection is logged with both scores');

  const r = await retrainAndMaybeSwap(running, {
    trace,
    base,
    config,
    dir,
    version: '1',
    episodes: 4,
    timeBudgetMs: 120_000,
    logger,
  });
  t.equal(r.trainWindows + r.heldOutWindows >= 2, true, 'trace cut into train and held-out windows');
  if (r.accepted) {
    t.ok(r.newScore < r.oldScore, `accepted with ${r.newScore} < ${r.oldScore}`);
    t.equal(running.swapCount, 1, 'swapped once');
    t.equal(running.name, 'rl', 'the running policy is now the retrained model');
    t.match(lines.at(-1), /swapped "sjf" -> "rl" \(site retrain v1: held-out/, 'the swap is logged');
    await (running.active as unknown as { close(): Promise<void> }).close();
  } else {
    t.ok(r.newScore >= r.oldScore, `rejected with ${r.newScore} >= ${r.oldScore}`);
    t.equal(running.swapCount, 0, 'not swapped');
  }
});

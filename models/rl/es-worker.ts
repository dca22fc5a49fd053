// Worker thread of es-pool.ts: scores candidate weight vectors of one network shape on scenarios it builds itself
// from their recipes (the same deterministic generator as the main thread), so only weights and numbers cross.
import { parentPort, workerData } from 'node:worker_threads';
import type { RlOptions } from '../../runtime/scheduler/policies/rl-policy.js';
import type { SimOptions } from '../sim/options.js';
import type { Scenario } from '../sim/scenario.js';
import { relativeSlowdown, type ScenarioSpec, scenarioOf, unflattenInto } from './es-tune.js';
import { Mlp } from './mlp.js';

export interface EsWorkerInit {
  sizes: number[];
  rl: RlOptions;
  /** the simulator options of every run (es-tune.ts esSimOptions) */
  sim?: SimOptions | undefined;
}

export interface EsWorkerJob {
  id: number;
  theta: Float64Array;
  specs: ScenarioSpec[];
  ref: number[];
}

const init = workerData as EsWorkerInit;
const net = new Mlp(init.sizes);
/** the generation's scenarios, reused by every job of that generation; bounded to one generation's worth */
let cached: { key: string; scenarios: Scenario[] } | undefined;

parentPort?.on('message', (job: EsWorkerJob) => {
  const key = JSON.stringify(job.specs);
  if (cached?.key !== key) cached = { key, scenarios: job.specs.map(scenarioOf) };
  unflattenInto(net, job.theta);
  const fit = relativeSlowdown(net, init.rl, cached.scenarios, job.ref, init.sim ?? {});
  parentPort?.postMessage({ id: job.id, fit });
});

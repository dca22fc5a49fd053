// Public surface of the scheduling simulator (see models/sim/README.md).

export type { FreeTimeModel, SimOptions } from './options.js';
export { FREE_TIME_MODELS } from './options.js';
export type { SimCounters, SimResult, SimSummary } from './result.js';
export { mean, quantile } from './result.js';
export { runPolicy, runPolicyAsync } from './run.js';
export type { BatterySpec, FailureSpec, Scenario, ScenarioAgent, ScenarioTask } from './scenario.js';
export { idealDurationMs, SCENARIO_VERSION, validateScenario } from './scenario.js';
export type { StepResult } from './simulator.js';
export { Simulator } from './simulator.js';

// The training recipe of the shipped model, in one place: hyperparameters, loads, and the seed ranges. Seed ranges are
// disjoint by construction: training episodes use TRAIN_SEED_BASE + k (k < 100000), validation (tuning) uses
// VAL_SEEDS, and the evaluation reports only on TEST_SEEDS, which neither training nor tuning ever touches.
import { DEFAULT_LIMITS } from '../../runtime/scheduler/features.js';
import type { DqnConfig } from './dqn.js';

export const TRAIN_SEED_BASE = 100_000;
export const VAL_SEEDS = [7001, 7002];
export const TEST_SEEDS = [9001, 9002, 9003, 9004, 9005];

export const TRAIN_LOADS = [0.5, 0.7, 0.9, 1.1, 1.3];
export const VAL_LOADS = [0.7, 1.1];

export function defaultDqnConfig(seed: number): DqnConfig {
  return {
    seed,
    hidden: [48, 32],
    learningRate: 5e-4,
    gamma: 0.95,
    tauMs: 3000,
    // keeps Q near -1..-10 on the training workload: ~(1 - gamma) / (tau x typical slowdown cost per ms)
    rewardScale: 0.005,
    batchSize: 32,
    replayCapacity: 50_000,
    warmupTransitions: 2000,
    targetSyncSteps: 1000,
    trainEvery: 2,
    epsStart: 0.5,
    epsEnd: 0.02,
    epsDecayDecisions: 200_000,
    demoStart: 0.5,
    demoDecayDecisions: 150_000,
    huberDelta: 1,
    targetTopK: 6,
    rl: { withWait: true, limits: DEFAULT_LIMITS },
  };
}

// The messages between the gateway and its retrain worker (models/rl/site-retrain-worker.ts), over the fork's IPC
// channel: one job in, one reply out.

export interface RetrainJob {
  /** <dataDir>/scheduler: the current and rotated site-trace files */
  traceDir: string;
  traceTasksMax: number;
  /** the running model's network (NAME.weights.json) and card */
  baseWeightsPath: string;
  baseCardPath: string;
  /** <dataDir>/scheduler/models/site-<n>: where an accepted candidate is written (must not exist yet) */
  outDir: string;
  /** the candidate's card version */
  version: string;
  episodes: number;
  /** training stops after this; scoring the held-out windows follows */
  timeBudgetMs: number;
  windowTasks: number;
  heldOutFraction: number;
  seed: number;
  /** niceness the worker gives its threads */
  nice: number;
}

export interface RetrainSummary {
  accepted: boolean;
  /** mean slowdown on the held-out windows: the candidate's and the running model's */
  newScore: number;
  oldScore: number;
  trainWindows: number;
  heldOutWindows: number;
  episodes: number;
  /** the candidate's .onnx when accepted */
  modelPath: string | null;
  version: string;
  trace: { tasks: number; runs: number; agents: number; files: number; skipped: string[]; droppedTasks: number };
  /** measured in the worker */
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

export type RetrainReply = { ok: true; result: RetrainSummary } | { ok: false; error: string };

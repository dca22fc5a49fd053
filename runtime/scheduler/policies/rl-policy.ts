// The learned policy `rl`: every feasible (task, agent) pair of the task window (plus a "wait" row) is featurized by
// the one extractor, scored in ONE batched call, and placed greedily (rl-select.ts). Two scorers with identical numbers:
// onnxruntime-node for the gateway, and the TypeScript forward pass for the simulator and training (sync, no native
// code). The export parity test checks they agree to 1e-5.
import { readFile } from 'node:fs/promises';
// types only: the native onnxruntime is imported when a model is loaded, so a gateway configured with a heuristic policy
// never maps it. Loaded, it is about 27 MB of the gateway's RSS (measured: 19.6 MB of libonnxruntime's pages, most
// touched when the first session is created, and 7.5 MB of its allocations); session options (memory arena, memory
// pattern, optimization level) change that by less than 1 MB.
import type * as Ort from 'onnxruntime-node';
import { Mlp, type MlpJson } from '../../../models/rl/mlp.js';
import { CandidateExtractor, extractCandidates } from '../candidate-extractor.js';
import { type CandidateLimits, type Candidates, DEFAULT_LIMITS, FEATURE_COUNT } from '../features.js';
import { checkCard, type ModelCard } from '../model-card.js';
import type { FreeTimeModel } from '../overrun-model.js';
import type { Observation, Placement, Policy } from '../policy.js';
import { selectPlacements } from '../rl-select.js';

/**
 * One thread each: a decision is one small batched call. No graph optimizations: the exported model is Gemm and Relu
 * only, and the optimizers' fusions map 0.7 MB more of onnxruntime for no measurable speed (101 rows: 37 vs 39 us and
 * 56 vs 50 us per run in two interleaved runs). The memory arena and memory pattern options made no difference.
 */
const SESSION_OPTIONS: Ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'disabled',
};

export interface RlOptions {
  withWait: boolean;
  limits: CandidateLimits;
  /** the free-time model its observations use (its card's freeTime); absent = the caller's (estimate in the sim) */
  freeTime?: FreeTimeModel | undefined;
}

export const DEFAULT_RL_OPTIONS: RlOptions = { withWait: true, limits: DEFAULT_LIMITS };

/** The same policy with the TypeScript forward pass: synchronous, for the simulator and training. */
export class RlTsPolicy implements Policy {
  readonly name = 'rl';
  private readonly extractor = new CandidateExtractor();
  constructor(
    readonly net: Mlp,
    readonly opts: RlOptions = DEFAULT_RL_OPTIONS,
  ) {
    if (net.inputSize !== FEATURE_COUNT)
      throw new TypeError(`RlTsPolicy: net input ${net.inputSize} != ${FEATURE_COUNT}`);
  }

  get freeTime(): FreeTimeModel | undefined {
    return this.opts.freeTime;
  }

  static fromJSON(j: MlpJson, opts: RlOptions = DEFAULT_RL_OPTIONS): RlTsPolicy {
    return new RlTsPolicy(Mlp.fromJSON(j), opts);
  }

  candidates(obs: Observation): Candidates {
    return extractCandidates(obs, this.opts.withWait, this.opts.limits);
  }

  decide(obs: Observation): readonly Placement[] {
    if (obs.tasks.length === 0 || obs.agents.length === 0) return [];
    // the extractor's views live until its next call; decide() is synchronous, so they outlive every use here
    const cands = this.extractor.extract(obs, this.opts.withWait, this.opts.limits);
    if (cands.rows === 0 || (cands.rows === 1 && cands.waitRow === 0)) return [];
    const scores = this.net.forward(cands.features, cands.rows);
    return selectPlacements(obs, cands, scores).placements;
  }
}

/** The gateway's policy: the shipped .onnx through onnxruntime-node. Create with `RlOnnxPolicy.load`. */
export class RlOnnxPolicy implements Policy {
  readonly name = 'rl';
  /** buffers reused by every decision; a decision started while another awaits onnxruntime gets its own */
  private readonly extractor = new CandidateExtractor();
  private extractorBusy = false;
  /** the feeds of the last call, reused while the extractor hands back the same features view (same row count) */
  private lastFeatures: Float32Array | undefined;
  private lastFeeds: Record<string, Ort.Tensor> | undefined;
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly card: ModelCard,
  ) {}

  /** the free-time model it was trained with */
  get freeTime(): FreeTimeModel {
    return this.card.freeTime ?? 'estimate';
  }

  /** Loads and validates model and card; throws an Error saying what is wrong (missing, corrupt, mismatched). */
  static async load(modelPath: string, cardPath: string): Promise<RlOnnxPolicy> {
    let cardText: string;
    try {
      cardText = await readFile(cardPath, 'utf8');
    } catch (err) {
      throw new Error(`model card ${cardPath} unreadable: ${(err as Error).message}`);
    }
    let cardJson: unknown;
    try {
      cardJson = JSON.parse(cardText);
    } catch (err) {
      throw new Error(`model card ${cardPath} is not JSON: ${(err as Error).message}`);
    }
    const card = checkCard(cardJson);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(modelPath);
    } catch (err) {
      throw new Error(`model ${modelPath} unreadable: ${(err as Error).message}`);
    }
    // onnxruntime 1.30 on Linux keeps a telemetry database under ~/.cache/Microsoft and may upload it over HTTPS; a
    // gateway does neither (and saves about 3 MB of RSS). Read by the native library when it loads; an explicit
    // setting of the operator wins.
    process.env['ORT_DISABLE_TELEMETRY'] ??= '1';
    const ort = await import('onnxruntime-node');
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
    } catch (err) {
      throw new Error(`model ${modelPath} rejected by onnxruntime: ${(err as Error).message.split('\n')[0]}`);
    }
    const policy = new RlOnnxPolicy(ort, session, card);
    await policy.probe();
    return policy;
  }

  /** One zero row through the model: input width and output shape must match the extractor. */
  private async probe(): Promise<void> {
    const input = this.session.inputNames[0];
    const output = this.session.outputNames[0];
    if (this.session.inputNames.length !== 1 || this.session.outputNames.length !== 1 || !input || !output) {
      throw new Error('model must have exactly one input and one output');
    }
    try {
      const out = await this.session.run({
        [input]: new this.ort.Tensor('float32', new Float32Array(FEATURE_COUNT), [1, FEATURE_COUNT]),
      });
      const q = out[output];
      if (q?.dims.length !== 2 || q.dims[0] !== 1 || q.dims[1] !== 1) throw new Error('output shape is not [batch, 1]');
    } catch (err) {
      await this.session.release();
      throw new Error(`model does not take ${FEATURE_COUNT} features: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    let feeds = this.lastFeeds;
    if (features !== this.lastFeatures || !feeds || feeds[this.session.inputNames[0]!]!.dims[0] !== rows) {
      feeds = { [this.session.inputNames[0]!]: new this.ort.Tensor('float32', features, [rows, FEATURE_COUNT]) };
      this.lastFeatures = features;
      this.lastFeeds = feeds;
    }
    const out = await this.session.run(feeds);
    return out[this.session.outputNames[0]!]!.data as Float32Array;
  }

  async decide(obs: Observation): Promise<readonly Placement[]> {
    if (obs.tasks.length === 0 || obs.agents.length === 0) return [];
    // the shared buffers must not change while onnxruntime reads them: a concurrent decision copies instead
    if (this.extractorBusy) return this.decideWith(obs, extractCandidates(obs, this.card.withWait, this.card.limits));
    this.extractorBusy = true;
    try {
      return await this.decideWith(obs, this.extractor.extract(obs, this.card.withWait, this.card.limits));
    } finally {
      this.extractorBusy = false;
    }
  }

  private async decideWith(obs: Observation, cands: Candidates): Promise<readonly Placement[]> {
    if (cands.rows === 0 || (cands.rows === 1 && cands.waitRow === 0)) return [];
    const scores = await this.score(cands.features, cands.rows);
    return selectPlacements(obs, cands, scores).placements;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

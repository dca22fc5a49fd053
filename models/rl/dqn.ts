// Deep Q-learning over per-candidate scores. One decision = one observation; the action is the set of (task, agent)
// pairs placed (or the "wait" row when none), each pair a transition sharing the decision's reward and next state:
//   y = r + gamma^(dt/tau) * max_a' Q_target(s', a'),   r = -rewardScale * integral over [t, t') of sum_i 1/ideal_i
// so the undiscounted return is minus the sum of slowdowns (mean slowdown x tasks). Replay, a target network synced
// every `targetSyncSteps` gradient steps, an epsilon schedule, and optional demonstrations from a heuristic early on.
import { extractCandidates } from '../../runtime/scheduler/candidate-extractor.js';
import { type Candidates, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import type { RlOptions } from '../../runtime/scheduler/policies/rl-policy.js';
import type { Observation, Placement, Policy } from '../../runtime/scheduler/policy.js';
import { rankRows, selectPlacements } from '../../runtime/scheduler/rl-select.js';
import { Adam, DEFAULT_ADAM, Mlp, type MlpJson } from './mlp.js';
import { type NextState, Replay } from './replay.js';
import { Rng } from './rng.js';
import { RunningPotential } from './shaping.js';

export interface DqnConfig {
  seed: number;
  hidden: number[];
  learningRate: number;
  /** discount per `tauMs` of simulated time */
  gamma: number;
  tauMs: number;
  rewardScale: number;
  batchSize: number;
  replayCapacity: number;
  warmupTransitions: number;
  targetSyncSteps: number;
  /** decisions between gradient steps */
  trainEvery: number;
  epsStart: number;
  epsEnd: number;
  epsDecayDecisions: number;
  /** probability of acting like the demonstration heuristic, decaying linearly to 0 */
  demoStart: number;
  demoDecayDecisions: number;
  huberDelta: number;
  /** DQfD large-margin loss (Hester et al. 2018): weight, and the margin by which a demonstrated pair should win */
  marginWeight: number;
  margin: number;
  /** next-state rows the target evaluates: the online net's best K, plus the wait row */
  targetTopK: number;
  rl: RlOptions;
  /** potential-based shaping that charges a placement's estimated run cost at once (shaping.ts); absent = off */
  shaping?: boolean | undefined;
  /**
   * exploration: 'uniform' scores every row at random; 'noisy' adds Gaussian noise of the scores' own spread to the
   * online scores, so it explores near the current policy instead of placing at random; absent = 'uniform'
   */
  explore?: 'uniform' | 'noisy' | undefined;
  /**
   * demonstration probability kept after the decay (absent = 0). As in DQfD, demonstrations and their margin loss stay
   * in the replay for good: with them gone, the v2 runs collapsed within 20 episodes (validation 1.50 -> 4..8)
   */
  demoEnd?: number | undefined;
  /** decisions per return before bootstrapping (n-step returns, as DQfD uses); absent = 1 */
  nStep?: number | undefined;
}

export interface DqnState {
  config: DqnConfig;
  online: MlpJson;
  target: MlpJson;
  adam: ReturnType<Adam['toJSON']>;
  rngState: number;
  decisions: number;
  gradSteps: number;
  targetVersion: number;
}

interface Pending {
  xs: Float32Array[];
  /** per x: rival rows when x came from the demonstrator, else null */
  alts: (Float32Array | null)[];
  timeMs: number;
  /** shaping potential of the state the decision was made in */
  phi: number;
  /** n-step return so far, the product of the discounts so far, and how many rewards it holds */
  ret: number;
  disc: number;
  steps: number;
}

export class DqnLearner {
  readonly online: Mlp;
  readonly target: Mlp;
  readonly adam: Adam;
  readonly replay: Replay;
  readonly rng: Rng;
  decisions = 0;
  gradSteps = 0;
  targetVersion = 0;
  lastLoss = 0;
  /** sum of the per-decision rewards so far, as stored (scaled), for checks */
  decisionRewardSum = 0;
  /** decisions whose n-step return is not complete yet, oldest first */
  private chain: Pending[] = [];
  private readonly shaper = new RunningPotential();

  constructor(
    readonly config: DqnConfig,
    state?: DqnState,
  ) {
    this.rng = new Rng(config.seed);
    this.online = state ? Mlp.fromJSON(state.online) : new Mlp([FEATURE_COUNT, ...config.hidden, 1], this.rng);
    this.target = state ? Mlp.fromJSON(state.target) : this.online.clone();
    this.adam = new Adam(this.online, { ...DEFAULT_ADAM, learningRate: config.learningRate });
    this.replay = new Replay(config.replayCapacity);
    if (state) {
      this.adam.load(state.adam);
      this.rng.setState(state.rngState);
      this.decisions = state.decisions;
      this.gradSteps = state.gradSteps;
      this.targetVersion = state.targetVersion;
    }
  }

  epsilon(): number {
    const c = this.config;
    const f = Math.min(1, this.decisions / Math.max(1, c.epsDecayDecisions));
    return c.epsStart + (c.epsEnd - c.epsStart) * f;
  }

  demoProbability(): number {
    const c = this.config;
    const end = c.demoEnd ?? 0;
    return end + (c.demoStart - end) * Math.max(0, 1 - this.decisions / Math.max(1, c.demoDecayDecisions));
  }

  /**
   * Acts on one observation and learns: `costSincePrev` is the integral of sum 1/ideal over tasks in the system since
   * the previous call (ms / ms). `demo`, when given, is followed with the current demonstration probability.
   */
  decide(obs: Observation, costSincePrev: number, demo?: Policy): Placement[] {
    const cands = extractCandidates(obs, this.config.rl.withWait, this.config.rl.limits);
    // the online scores act greedily and also pick which rows of this state the target will evaluate later
    const scores = this.online.forward(cands.features, cands.rows);
    const phi = this.config.shaping ? this.shaper.potential(obs.nowMs) : 0;
    const last = this.chain.at(-1);
    if (last) {
      const next = this.prunedState(cands, scores);
      const g = this.discount(obs.nowMs - last.timeMs);
      this.advance((-costSincePrev + g * phi - last.phi) * this.config.rewardScale, g, next);
    }
    let chosen: { placements: Placement[]; rows: number[] };
    const u = this.rng.next();
    const pDemo = this.demoProbability();
    const fromDemo = demo !== undefined && u < pDemo;
    if (fromDemo) {
      chosen = this.followDemo(obs, cands, demo);
    } else if (u < pDemo + (1 - pDemo) * this.epsilon()) {
      chosen = selectPlacements(obs, cands, this.exploreScores(scores, cands.rows));
    } else {
      chosen = selectPlacements(obs, cands, scores);
    }
    const rows = chosen.rows.length > 0 ? chosen.rows : cands.waitRow >= 0 ? [cands.waitRow] : [];
    const xs = rows.map((r) => cands.features.slice(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT));
    const alts = rows.map(() => (fromDemo && chosen.rows.length > 0 ? this.rivals(cands, scores, chosen.rows) : null));
    this.chain.push({ xs, alts, timeMs: obs.nowMs, phi, ret: 0, disc: 1, steps: 0 });
    if (this.config.shaping) this.shaper.add(obs, chosen.placements);
    this.decisions++;
    if (this.replay.size >= this.config.warmupTransitions && this.decisions % this.config.trainEvery === 0) {
      this.trainStep();
    }
    return chosen.placements;
  }

  /**
   * The next state as its `targetTopK` best rows by the online network plus the wait row: the target network then
   * evaluates only those (double-DQN style selection by the online net), which keeps a gradient step cheap.
   */
  private prunedState(cands: Candidates, scores: Float32Array): NextState {
    const keep = rankRows(cands, scores).slice(0, this.config.targetTopK);
    if (cands.waitRow >= 0) keep.push(cands.waitRow);
    const features = new Float32Array(keep.length * FEATURE_COUNT);
    keep.forEach((r, i) => {
      features.set(cands.features.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT), i * FEATURE_COUNT);
    });
    return { features, rows: keep.length, cachedVersion: -1, cachedMax: 0 };
  }

  /** Ends an episode: the last decision's transitions are terminal with the cost since then. */
  endEpisode(costSincePrev: number): void {
    // every task has finished, so the terminal potential is 0
    const last = this.chain.at(-1);
    if (last) this.advance((-costSincePrev - last.phi) * this.config.rewardScale, 0, null);
    this.chain = [];
    this.shaper.reset();
  }

  /** Scores for an exploring decision (config.explore). */
  private exploreScores(scores: Float32Array, rows: number): Float32Array {
    if (this.config.explore !== 'noisy') return new Float32Array(rows).map(() => this.rng.next());
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += scores[r]!;
    mean /= Math.max(1, rows);
    let v = 0;
    for (let r = 0; r < rows; r++) v += (scores[r]! - mean) ** 2;
    const sd = Math.max(1e-4, Math.sqrt(v / Math.max(1, rows)));
    return new Float32Array(rows).map((_, r) => scores[r]! + sd * this.rng.normal());
  }

  /** The online net's best-scored rows the demonstrator did not choose, plus the wait row. */
  private rivals(cands: Candidates, scores: Float32Array, chosenRows: number[]): Float32Array | null {
    const chosen = new Set(chosenRows);
    const keep = rankRows(cands, scores)
      .filter((r) => !chosen.has(r))
      .slice(0, this.config.targetTopK);
    if (cands.waitRow >= 0) keep.push(cands.waitRow);
    if (keep.length === 0) return null;
    const out = new Float32Array(keep.length * FEATURE_COUNT);
    keep.forEach((r, i) => {
      out.set(cands.features.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT), i * FEATURE_COUNT);
    });
    return out;
  }

  private discount(dtMs: number): number {
    return this.config.gamma ** (Math.max(0, dtMs) / this.config.tauMs);
  }

  /**
   * Adds the reward of the interval since the last decision (discount `g` over it) to every open decision, and stores
   * those whose return now spans `nStep` decisions (all of them at the end of an episode, `next` null) as transitions:
   * y = r_t + g_t r_t+1 + ... + (g_t ... g_t+n-1) max Q(s_t+n).
   */
  private advance(reward: number, g: number, next: NextState | null): void {
    this.decisionRewardSum += reward;
    const n = Math.max(1, this.config.nStep ?? 1);
    for (const p of this.chain) {
      p.ret += p.disc * reward;
      p.disc *= g;
      p.steps++;
    }
    while (this.chain.length > 0 && (next === null || this.chain[0]!.steps >= n)) {
      const p = this.chain.shift()!;
      const discount = next === null ? 0 : p.disc;
      p.xs.forEach((x, i) => {
        const alt = p.alts[i] ?? null;
        this.replay.push({ x, reward: p.ret, discount, next, alt, altRows: alt ? alt.length / FEATURE_COUNT : 0 });
      });
    }
  }

  private followDemo(obs: Observation, cands: Candidates, demo: Policy) {
    const out = demo.decide(obs);
    if (out instanceof Promise) throw new TypeError(`demo policy ${demo.name} must be synchronous`);
    const taskIdx = new Map(obs.tasks.map((t, i) => [t.id, i]));
    const agentIdx = new Map(obs.agents.map((a, i) => [a.id, i]));
    const rows: number[] = [];
    for (const p of out) {
      const ti = taskIdx.get(p.taskId);
      const ai = agentIdx.get(p.agentId);
      // a placement outside the candidate window is still executed, but yields no transition
      for (let r = 0; r < cands.rows; r++) {
        if (cands.taskIndex[r] === ti && cands.agentIndex[r] === ai) {
          rows.push(r);
          break;
        }
      }
    }
    return { placements: [...out], rows };
  }

  private maxTarget(next: NextState): number {
    if (next.cachedVersion !== this.targetVersion) {
      const q = this.target.forward(next.features, next.rows);
      let m = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < next.rows; i++) if (q[i]! > m) m = q[i]!;
      next.cachedMax = m;
      next.cachedVersion = this.targetVersion;
    }
    return next.cachedMax;
  }

  /**
   * One gradient step on a sampled batch: Huber TD error on every transition, plus for demonstration transitions the
   * large margin loss max_a[Q(s,a) + margin*(a != aE)] - Q(s,aE). One forward and one backward over all rows.
   */
  trainStep(): void {
    const c = this.config;
    const batch = this.replay.sample(c.batchSize, this.rng);
    const B = batch.length;
    let rows = B;
    for (const t of batch) rows += t.altRows;
    const x = new Float32Array(rows * FEATURE_COUNT);
    const y = new Float32Array(B);
    let off = B;
    const altOffset: number[] = [];
    batch.forEach((t, i) => {
      x.set(t.x, i * FEATURE_COUNT);
      y[i] = t.reward + (t.next ? t.discount * this.maxTarget(t.next) : 0);
      altOffset.push(off);
      if (t.alt) x.set(t.alt, off * FEATURE_COUNT);
      off += t.altRows;
    });
    const q = this.online.forward(x, rows);
    const d = new Float32Array(rows);
    let loss = 0;
    for (let i = 0; i < B; i++) {
      const e = q[i]! - y[i]!;
      const a = Math.abs(e);
      loss += a <= c.huberDelta ? 0.5 * e * e : c.huberDelta * (a - 0.5 * c.huberDelta);
      d[i] = (a <= c.huberDelta ? e : Math.sign(e) * c.huberDelta) / B;
      const t = batch[i]!;
      if (t.altRows === 0 || c.marginWeight === 0) continue;
      let best = -1;
      let bestQ = q[i]!;
      for (let k = 0; k < t.altRows; k++) {
        const qa = q[altOffset[i]! + k]! + c.margin;
        if (qa > bestQ) {
          bestQ = qa;
          best = altOffset[i]! + k;
        }
      }
      if (best >= 0) {
        loss += c.marginWeight * (bestQ - q[i]!);
        d[best]! += c.marginWeight / B;
        d[i]! -= c.marginWeight / B;
      }
    }
    this.lastLoss = loss / B;
    this.adam.step(this.online, this.online.backward(d));
    this.gradSteps++;
    if (this.gradSteps % c.targetSyncSteps === 0) {
      this.target.copyFrom(this.online);
      this.targetVersion++;
    }
  }

  toJSON(): DqnState {
    return {
      config: this.config,
      online: this.online.toJSON(),
      target: this.target.toJSON(),
      adam: this.adam.toJSON(),
      rngState: this.rng.getState(),
      decisions: this.decisions,
      gradSteps: this.gradSteps,
      targetVersion: this.targetVersion,
    };
  }
}

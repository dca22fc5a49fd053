// Each agent's speed as the scheduler observes it: the median of estDurationMs / observed duration over its last
// runs (the same estimate models/rl/site-trace.ts fits from a recorded trace), 1.0 until it has a few runs.
export interface AgentSpeedsOptions {
  /** runs remembered per agent */
  runsPerAgentMax?: number | undefined;
  /** runs needed before the observed speed replaces 1.0 */
  runsMin?: number | undefined;
  /** agents remembered; the least recently updated is dropped beyond it */
  agentsMax?: number | undefined;
}

const SPEED_MIN = 0.05;
const SPEED_MAX = 20;

export class AgentSpeeds {
  readonly #ratios = new Map<string, number[]>();
  readonly #runsPerAgentMax: number;
  readonly #runsMin: number;
  readonly #agentsMax: number;

  constructor(options: AgentSpeedsOptions = {}) {
    this.#runsPerAgentMax = options.runsPerAgentMax ?? 32;
    this.#runsMin = options.runsMin ?? 3;
    this.#agentsMax = options.agentsMax ?? 10000;
  }

  /** a run of a task estimated at estDurationMs took durationMs on the agent */
  observe(agentId: string, estDurationMs: number, durationMs: number): void {
    if (!(estDurationMs > 0 && durationMs > 0)) return;
    const xs = this.#ratios.get(agentId) ?? [];
    this.#ratios.delete(agentId); // re-insert: Map order is recency order
    xs.push(estDurationMs / durationMs);
    if (xs.length > this.#runsPerAgentMax) xs.shift();
    this.#ratios.set(agentId, xs);
    if (this.#ratios.size > this.#agentsMax) this.#ratios.delete(this.#ratios.keys().next().value!);
  }

  /** whether speed(agentId) comes from observed runs (runsMin of them) rather than the default 1.0 */
  fitted(agentId: string): boolean {
    return (this.#ratios.get(agentId)?.length ?? 0) >= this.#runsMin;
  }

  speed(agentId: string): number {
    const xs = this.#ratios.get(agentId);
    if (!xs || xs.length < this.#runsMin) return 1;
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    return Math.min(SPEED_MAX, Math.max(SPEED_MIN, median));
  }
}

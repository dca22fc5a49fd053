// Timing profiles (issue 6): default = heartbeat 100 ms, election 1000-2000 ms; fast = heartbeat 30 ms, election
// 150-300 ms. The core counts ticks; the randomized election timeout is drawn from [electionTicks, 2 * electionTicks).
export interface RaftTiming {
  readonly tickMs: number;
  readonly heartbeatTicks: number;
  readonly electionTicks: number;
}

export const RAFT_PROFILES: Readonly<Record<'default' | 'fast', RaftTiming>> = {
  default: { tickMs: 100, heartbeatTicks: 1, electionTicks: 10 },
  fast: { tickMs: 30, heartbeatTicks: 1, electionTicks: 5 },
};

export function raftProfile(name: string): RaftTiming {
  const p = (RAFT_PROFILES as Record<string, RaftTiming>)[name];
  if (!p) throw new TypeError(`raft profile must be one of ${Object.keys(RAFT_PROFILES).join(', ')}, got "${name}"`);
  return p;
}

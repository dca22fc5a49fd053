// The one mulberry32 step shared by every small seeded generator (raft election jitter and simulation, RL training),
// so the bit-exact sequence lives in one place. Pure: no I/O, no timers, no seed policy (callers map seeds themselves).

/** Advances a 32-bit mulberry32 state; returns the new state and the float in [0, 1) it yields. */
export function mulberry32Next(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

// A task's state in the simulator (Simulator.status, one byte per task): 0 until it arrives, then waiting, running
// (back to waiting when its agent fails) and done. Shared by the simulator and its clones (clone.ts).
export const WAITING = 1;
export const RUNNING = 2;
export const DONE = 3;

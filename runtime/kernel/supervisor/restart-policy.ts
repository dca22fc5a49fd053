// The restart decision, pure: given how a run ended and the recent restart history, restart after a delay or stop.
// Exponential backoff: backoffInitialMs * 2^(consecutive failures - 1), capped at backoffMaxMs; a run that lasted
// healthyAfterMs resets it. More than crashLoopMax restarts inside crashLoopWindowMs is a crash loop: no more restarts.
import type { RestartSpec } from './manifest.js';

export interface RunEnd {
  /** exit code, or null when killed by a signal */
  code: number | null;
  signal: string | null;
  /** the gateway killed it (memory limit); counts as a failure */
  killedFor?: string | undefined;
  startedAtMs: number;
  endedAtMs: number;
}

export interface RestartState {
  /** failures in a row since the last healthy run */
  consecutiveFailures: number;
  /** times of recent restarts, ms, pruned to the crash-loop window */
  restartTimesMs: number[];
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number }
  | { action: 'stop'; status: 'stopped' | 'failed'; reason: string };

export function isFailure(end: RunEnd): boolean {
  return end.killedFor !== undefined || end.code !== 0;
}

export function describeEnd(end: RunEnd): string {
  if (end.killedFor) return end.killedFor;
  if (end.signal) return `killed by ${end.signal}`;
  return `exited with code ${end.code}`;
}

export function backoffMs(spec: RestartSpec, consecutiveFailures: number): number {
  const exp = Math.max(0, consecutiveFailures - 1);
  return Math.min(spec.backoffMaxMs, spec.backoffInitialMs * 2 ** Math.min(exp, 30));
}

/** Decides what follows a run's end and updates `state` in place. */
export function decideRestart(spec: RestartSpec, state: RestartState, end: RunEnd): RestartDecision {
  const failed = isFailure(end);
  const why = describeEnd(end);
  if (end.endedAtMs - end.startedAtMs >= spec.healthyAfterMs) state.consecutiveFailures = 0;
  if (failed) state.consecutiveFailures++;
  if (spec.policy === 'never' || (spec.policy === 'on-failure' && !failed)) {
    return failed
      ? { action: 'stop', status: 'failed', reason: why }
      : { action: 'stop', status: 'stopped', reason: why };
  }
  state.restartTimesMs = state.restartTimesMs.filter((t) => end.endedAtMs - t < spec.crashLoopWindowMs);
  if (state.restartTimesMs.length >= spec.crashLoopMax) {
    return {
      action: 'stop',
      status: 'failed',
      reason: `crash loop: ${state.restartTimesMs.length} restarts within ${spec.crashLoopWindowMs} ms, last ${why}`,
    };
  }
  state.restartTimesMs.push(end.endedAtMs);
  // a clean exit under `always` restarts after the initial delay so a quick-exiting program cannot spin
  const delayMs = failed ? backoffMs(spec, state.consecutiveFailures) : spec.backoffInitialMs;
  return { action: 'restart', delayMs };
}

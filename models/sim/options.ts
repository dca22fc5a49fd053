// Options of a simulator run (Simulator, runPolicy): what the policy is shown and when it is asked.
import { FREE_TIME_MODELS, type FreeTimeModel } from '../../runtime/scheduler/overrun-model.js';

export interface SimOptions {
  /** waiting tasks shown to the policy per decision, each capability's oldest (observation-window.ts). Default 256 */
  tasksWindowMax?: number | undefined;
  /** simulated time after which the run stops with tasks unfinished, ms. Default 20 x last arrival + 1 h */
  simTimeMaxMs?: number | undefined;
  /**
   * false (default): a decision point follows an instant only when an agent's state changed (completion, failure,
   * recovery, battery) or a task arrived that is feasible on an online agent now; arrivals that nothing could take do
   * not call the policy. true: every instant with waiting tasks is a decision point.
   */
  decideOnEveryEvent?: boolean | undefined;
  /**
   * How an agent's estFreeAtMs is predicted. 'estimate' (default): each run ends at start + estimate / speed (a run
   * past that "ends now"). 'fitted': as the gateway does, by an overrun model fitted online to the ratios actual /
   * estimated run time of the tasks finished so far in this run (runtime/scheduler/overrun-model.ts), given how long
   * each run has already taken.
   */
  freeTime?: FreeTimeModel | undefined;
}

export type { FreeTimeModel };
export { FREE_TIME_MODELS };

/** The free-time model of `options`, checked (a bad value names the field). */
export function freeTimeOf(options: SimOptions): FreeTimeModel {
  const freeTime = options.freeTime ?? 'estimate';
  if (!FREE_TIME_MODELS.includes(freeTime))
    throw new TypeError(`sim options: freeTime must be one of ${FREE_TIME_MODELS.join(', ')}, got ${String(freeTime)}`);
  return freeTime;
}

/** The value of a --free-time flag, checked (a bad value names the flag and the choices). */
export function parseFreeTimeFlag(value: string | undefined, flag = '--free-time'): FreeTimeModel {
  if (!FREE_TIME_MODELS.includes(value as FreeTimeModel))
    throw new TypeError(`${flag}: want ${FREE_TIME_MODELS.join(' or ')}, got "${value}"`);
  return value as FreeTimeModel;
}

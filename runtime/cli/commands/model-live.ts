// `agentos model retrain|status`: the model of a running gateway, over its MQTT API (model.retrain, model.status in
// runtime/scheduler/model-api.ts). retrain waits for the answer: the worker trains for up to --minutes (the gateway's
// scheduler.siteLearning.minutes by default), so the call's timeout follows the budget unless --timeout-ms is given.
import type { RetrainOutcome } from '../../scheduler/site-learning.js';
import { withApi } from '../api-options.js';
import type { CliIo } from '../command.js';
import { intOption, type ParsedArgs, UsageError } from '../command.js';

interface ModelStatus {
  policy: string | null;
  source: string;
  modelPath: string | null;
  version: string | null;
  swaps: number;
  retrain: {
    running: { startedAt: string; trigger: string; pid: number | null } | null;
    runsSinceLast: number;
    retrains: number;
    accepted: number;
    failed: number;
    last: { finishedAt: string; result: RetrainOutcome | null; error: string | null } | null;
  };
  siteLearning: { enabled: boolean; everyRuns: number; minutes: number };
  trace: { dir: string; arrivals: number; runs: number; rotations: number } | null;
}

/** the answer may come this long after the training budget: reading the trace, scoring, loading the candidate */
const ANSWER_ALLOWANCE_MS = 180_000;

export async function runModelRetrain(args: ParsedArgs, io: CliIo): Promise<number> {
  const episodes = intOption(args.values, 'episodes');
  if (episodes !== undefined && episodes < 0) throw new UsageError('--episodes must be >= 0');
  const minutesText = args.values['minutes'] as string | undefined;
  const minutes = minutesText === undefined ? undefined : Number(minutesText);
  if (minutes !== undefined && !(minutes > 0)) {
    throw new UsageError(`--minutes must be a positive number, got "${minutesText}"`);
  }
  const explicitTimeout = intOption(args.values, 'timeout-ms');
  const r = await withApi(args, io.env, async (api) => {
    const budget = minutes ?? (await api.call<ModelStatus>('model.status')).siteLearning.minutes;
    const timeoutMs = explicitTimeout ?? Math.round(budget * 90_000) + ANSWER_ALLOWANCE_MS;
    const params = { ...(episodes !== undefined ? { episodes } : {}), ...(minutes !== undefined ? { minutes } : {}) };
    return api.call<RetrainOutcome>('model.retrain', params, timeoutMs);
  });
  if (args.values['json']) {
    io.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const scores = `held-out mean slowdown ${r.newScore.toFixed(4)} vs running ${r.oldScore.toFixed(4)}`;
  const how =
    `${r.trainWindows} train / ${r.heldOutWindows} held-out windows, ${r.episodes} episodes, ` +
    `${r.trace.tasks} tasks, ${(r.wallMs / 1000).toFixed(1)} s`;
  if (r.swapped) io.out(`accepted: ${scores} (${how}); now running v${r.version} (${r.modelPath})`);
  else if (r.accepted) io.out(`accepted but not swapped (the gateway stopped): ${scores} (${how})`);
  else io.out(`rejected: ${scores} (${how}); the running model stays`);
  return 0;
}

export async function runModelStatus(args: ParsedArgs, io: CliIo): Promise<number> {
  const s = await withApi(args, io.env, (api) => api.call<ModelStatus>('model.status'));
  if (args.values['json']) {
    io.out(JSON.stringify(s, null, 2));
    return 0;
  }
  const model = s.modelPath ? ` ${s.source} model v${s.version} (${s.modelPath})` : ` (${s.source})`;
  io.out(`policy ${s.policy}:${model}; ${s.swaps} swap(s)`);
  const r = s.retrain;
  if (r.running) io.out(`retrain running: ${r.running.trigger}, since ${r.running.startedAt}, pid ${r.running.pid}`);
  const last = r.last;
  if (last?.result) {
    const x = last.result;
    const verdict = x.swapped ? 'accepted and swapped' : x.accepted ? 'accepted, not swapped' : 'rejected';
    io.out(
      `last retrain ${last.finishedAt}: ${verdict}, held-out ${x.newScore.toFixed(4)} vs ${x.oldScore.toFixed(4)}`,
    );
  } else if (last?.error) io.out(`last retrain ${last.finishedAt} failed: ${last.error}`);
  io.out(
    `retrains ${r.retrains} (accepted ${r.accepted}, failed ${r.failed}); runs since the last: ${r.runsSinceLast}`,
  );
  const auto = s.siteLearning.enabled ? `every ${s.siteLearning.everyRuns} runs` : 'off';
  io.out(`automatic retraining: ${auto}`);
  if (s.trace) io.out(`trace ${s.trace.dir}: ${s.trace.arrivals} arrivals, ${s.trace.runs} runs in the current file`);
  else io.out('trace: off');
  return 0;
}

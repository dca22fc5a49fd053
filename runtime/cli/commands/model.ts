// `agentos model train|info|retrain|status`: trains the learned scheduler in the simulator (progress bar with the
// running reward, learning-curve SVG, resumable checkpoints) or on a site trace, shows the shipped model's card, and
// retrains or inspects the model of a running gateway (model-live.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cardPathFor, defaultModelPath } from '../../scheduler/load-policy.js';
import { checkCard } from '../../scheduler/model-card.js';
import { apiHelp, apiOptions } from '../api-options.js';
import { type CliCommand, intOption, UsageError } from '../command.js';
import { runModelRetrain, runModelStatus } from './model-live.js';

export const modelCommand: CliCommand = {
  name: 'model',
  summary:
    'train the learned scheduler (train), show the shipped model card (info), retrain the model of a running ' +
    'gateway from its site trace (retrain) or show what it runs (status)',
  usage: 'train|info [options] | retrain [--url URL] [--episodes N] [--minutes M] | status [--url URL]',
  help: {
    ...apiHelp,
    workload: 'workload name or JSON file (default train-v1)',
    trace:
      "a site trace file or a gateway's trace directory (<dataDir>/scheduler, rotated files read together): " +
      'fine-tune, keep only if better on held-out windows; or an arrivals trace (models/workloads/trace.ts)',
    resume: 'resume from a checkpoint.json',
    episodes: "episodes to train (default 300; retrain: the gateway's scheduler.siteLearning.episodes)",
    minutes: "wall-time budget in minutes (default 25; retrain: the gateway's scheduler.siteLearning.minutes)",
    out: 'directory for checkpoint.json and learning-curve.svg (default data/rl-train)',
    seed: 'training seed (default 1)',
    demo: 'heuristic demonstrating early episodes (default hungarian)',
    window: 'candidate window OLDEST,SHORTEST (default 0,16)',
    'task-count': 'tasks per training episode (default 1000)',
    ship: 'directory to write scheduler.onnx and its card into after training',
  },
  options: {
    ...apiOptions,
    workload: { type: 'string' },
    trace: { type: 'string' },
    resume: { type: 'string' },
    episodes: { type: 'string' },
    minutes: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    demo: { type: 'string' },
    window: { type: 'string' },
    'task-count': { type: 'string' },
    ship: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const sub = positionals[0];
    if (sub === 'retrain' || sub === 'status') {
      if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
      return sub === 'retrain'
        ? runModelRetrain({ values, positionals }, io)
        : runModelStatus({ values, positionals }, io);
    }
    if (sub === 'info') {
      const path = defaultModelPath();
      const card = checkCard(JSON.parse(readFileSync(cardPathFor(path), 'utf8')));
      io.out(JSON.stringify({ model: path, name: card.name, version: card.version, metrics: card.metrics }, null, 2));
      return 0;
    }
    if (sub !== 'train') {
      throw new UsageError(`model: want train, info, retrain or status, got ${sub ? `"${sub}"` : 'nothing'}`);
    }
    const episodes = intOption(values, 'episodes') ?? 300;
    const minutes = Number(values.minutes ?? 25);
    if (!(episodes > 0)) throw new UsageError('--episodes must be > 0');
    if (!(minutes > 0)) throw new UsageError(`--minutes must be a positive number, got "${values.minutes}"`);
    const trace = values.trace as string | undefined;
    // the trainer and the simulator are loaded here, not with the CLI: `agentos start` never needs them
    const { isSiteTrace, runSiteTraining } = await import('../../../models/rl/train-site.js');
    if (trace && isSiteTrace(trace)) {
      const r = runSiteTraining({
        trace,
        resume: values.resume as string | undefined,
        shippedWeights: defaultModelPath().replace(/\.onnx$/, '.weights.json'),
        out: resolve((values.ship as string | undefined) ?? 'data/site-model'),
        episodes: intOption(values, 'episodes') ?? 30,
        minutes,
        seed: intOption(values, 'seed') ?? 1,
      });
      const scores =
        `held-out mean slowdown ${r.newScore.toFixed(4)} vs base ${r.oldScore.toFixed(4)} ` +
        `(${r.traceTasks} tasks from ${r.traceFiles.length} file(s))`;
      io.out(r.accepted ? `accepted: ${scores}; wrote ${r.modelPath}` : `rejected: ${scores}; nothing written`);
      return 0;
    }
    const [{ runTraining }, { heuristicByName }] = await Promise.all([
      import('../../../models/rl/train.js'),
      import('../../../models/rl/heuristics.js'),
    ]);
    const ck = runTraining({
      workload: (values.workload as string | undefined) ?? 'train-v1',
      trace,
      episodes,
      minutes,
      resume: values.resume as string | undefined,
      out: resolve((values.out as string | undefined) ?? 'data/rl-train'),
      seed: intOption(values, 'seed') ?? 1,
      demo: heuristicByName((values.demo as string | undefined) ?? 'hungarian'),
      taskCount: intOption(values, 'task-count') ?? 1000,
      window: parseWindow(values.window as string | undefined),
      ship: values.ship ? resolve(values.ship as string) : undefined,
      version: '1',
      quiet: false,
    });
    io.out(
      `trained ${ck.episode} episodes in ${Math.round(ck.trainSeconds)} s; best validation mean slowdown ` +
        `${ck.best?.validation.toFixed(4) ?? 'n/a'} (episode ${ck.best?.episode ?? '-'})`,
    );
    return 0;
  },
};

function parseWindow(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map(Number);
  if (
    parts.length !== 2 ||
    !parts.every((n) => Number.isInteger(n) && n >= 0 && n <= 64) ||
    parts[0]! + parts[1]! < 1
  ) {
    throw new UsageError(`--window must be OLDEST,SHORTEST (integers 0..64, sum >= 1), got "${v}"`);
  }
  return [parts[0]!, parts[1]!];
}

// The gateway's retrain worker: a child process (forked by runtime/scheduler/retrain-process.ts) that reads the site
// trace across rotation, fine-tunes the running network on its older windows, scores both on the newest (held out),
// and writes an accepted candidate under <dataDir>/scheduler/models/site-<n>/. The trainer and the simulator load
// here, never in the gateway. One job per process: it receives the job over IPC, answers once and exits.
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import { basename, join } from 'node:path';
import type { RetrainJob, RetrainReply, RetrainSummary } from '../../runtime/scheduler/retrain-job.js';
import type { MlpJson } from './mlp.js';
import { writeSiteCandidate } from './site-candidate.js';
import { readSiteTrace } from './site-trace-dir.js';
import { fineTuneFromSite, siteTuneConfig } from './site-tune.js';

/**
 * Linux niceness is per thread: the gateway renices this process's main thread after the fork, but V8's and libuv's
 * threads started before that keep the gateway's priority. Renice each of them too (raising niceness needs no
 * privilege); threads started later inherit it from the thread that starts them.
 */
function reniceThreads(nice: number): void {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return; // not Linux: the gateway's setPriority on the pid is all there is
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // a thread that ended meanwhile, or a platform that refuses: priority is best effort
    }
  }
}

function run(job: RetrainJob): RetrainSummary {
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const read = readSiteTrace(job.traceDir, { tasksMax: job.traceTasksMax });
  const base = JSON.parse(readFileSync(job.baseWeightsPath, 'utf8')) as MlpJson;
  const baseCard = JSON.parse(readFileSync(job.baseCardPath, 'utf8')) as Parameters<typeof siteTuneConfig>[1];
  const config = siteTuneConfig(base, baseCard, job.seed);
  const r = fineTuneFromSite(read.trace, {
    base,
    config,
    windowTasks: job.windowTasks,
    heldOutFraction: job.heldOutFraction,
    episodes: job.episodes,
    timeBudgetMs: job.timeBudgetMs,
  });
  let modelPath: string | null = null;
  if (r.accepted) {
    // written beside the final folder and renamed into place, so the gateway never sees a half-written model
    const tmp = `${job.outDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    const written = writeSiteCandidate(r, config, {
      dir: tmp,
      version: job.version,
      training: { traceFiles: read.files, traceTasks: read.trace.tasks.length, base: job.baseWeightsPath },
    });
    renameSync(tmp, job.outDir);
    modelPath = join(job.outDir, basename(written));
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    accepted: r.accepted,
    newScore: r.newScore,
    oldScore: r.oldScore,
    trainWindows: r.trainWindows,
    heldOutWindows: r.heldOutWindows,
    episodes: r.episodes,
    modelPath,
    version: job.version,
    trace: {
      tasks: read.trace.tasks.length,
      runs: read.trace.runs.length,
      agents: read.trace.agents.length,
      files: read.files.length,
      skipped: read.skipped,
      droppedTasks: read.droppedTasks,
    },
    wallMs: Date.now() - t0,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function reply(msg: RetrainReply): void {
  // exit only once the message is handed to the channel, so the gateway gets it
  process.send?.(msg, () => process.exit(0));
}

process.once('message', (job: RetrainJob) => {
  reniceThreads(job.nice);
  try {
    reply({ ok: true, result: run(job) });
  } catch (err) {
    reply({ ok: false, error: (err as Error).message });
  }
});
// the gateway went away: nobody will read the answer (the training loop itself stops at its time budget)
process.once('disconnect', () => process.exit(1));
if (!process.send) {
  process.stderr.write('site-retrain-worker: run by the gateway (an IPC channel is required)\n');
  process.exit(2);
}

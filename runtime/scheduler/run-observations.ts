// What finished runs teach the scheduler: each agent's speed (agent-speeds.ts) and, once that agent's speed is fitted,
// how actual run times compare to estimates (overrun-model.ts; before it, the default speed 1.0 would pass the agents'
// speeds off as duration noise). Fed by every completion, and at start from the previous run's site trace, so a
// restart does not forget either.
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { parseSiteTrace } from '../../models/rl/site-trace.js';
import type { AgentSpeeds } from './agent-speeds.js';
import type { OverrunModel } from './overrun-model.js';

/** a trace file larger than this is not read at start (the rotation bounds it far below) */
const TRACE_BYTES_MAX = 64 * 1024 * 1024;

export class RunObservations {
  constructor(
    readonly speeds: AgentSpeeds,
    readonly overrun: OverrunModel,
  ) {}

  /**
   * A run of a task estimated at estDurationMs finished on agentId after durationMs (from its assignment, as the
   * speeds are fitted); runMs is its time from its start, what the observation's free times count (default the same).
   */
  observe(agentId: string, estDurationMs: number, durationMs: number, runMs = durationMs): void {
    if (this.speeds.fitted(agentId)) this.overrun.observe(runMs / (estDurationMs / this.speeds.speed(agentId)));
    this.speeds.observe(agentId, estDurationMs, durationMs);
  }

  /**
   * Replays the runs of a site trace file (oldest first). Returns how many were replayed; a missing file gives 0, and
   * an unreadable, oversized or invalid one is skipped with one warning: it must not keep the gateway from starting.
   */
  async warmStart(path: string, logger: Pick<Logger, 'warn'>): Promise<number> {
    let text: string;
    try {
      const size = (await stat(path)).size;
      if (size > TRACE_BYTES_MAX) {
        logger.warn({ path, size }, 'scheduler: previous site trace too large to warm the run statistics; skipped');
        return 0;
      }
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      logger.warn({ err, path }, 'scheduler: previous site trace unreadable; run statistics start empty');
      return 0;
    }
    try {
      const trace = parseSiteTrace(text, path);
      const est = new Map(trace.tasks.map((t) => [t.id, t.estDurationMs]));
      let n = 0;
      for (const r of trace.runs) {
        const e = est.get(r.taskId);
        if (e === undefined) continue;
        this.observe(r.agentId, e, r.durationMs);
        n++;
      }
      return n;
    } catch (err) {
      logger.warn(
        { err: (err as Error).message, path },
        'scheduler: previous site trace invalid; run statistics start empty',
      );
      return 0;
    }
  }
}

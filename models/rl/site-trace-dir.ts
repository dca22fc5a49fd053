// The gateway's site trace across rotation, as one SiteTrace: <dir>/site-trace.json (current) and its rotated files
// site-trace.1.json .. site-trace.N.json (higher = older; runtime/scheduler/site-trace-file.ts). A task still running at
// a rotation is carried into the next file, so it appears in two: tasks are deduplicated by id (the first arrival
// kept), runs by (task, agent, start). Only the newest tasksMax tasks (and their runs) are kept.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseSiteTrace,
  SITE_TRACE_VERSION,
  type SiteAgent,
  type SiteRun,
  type SiteTask,
  type SiteTrace,
} from './site-trace.js';

export interface ReadSiteTraceOptions {
  /** newest tasks kept (the oldest are dropped first) */
  tasksMax: number;
}

export interface SiteTraceRead {
  trace: SiteTrace;
  /** files read, oldest first */
  files: string[];
  /** files that could not be read or parsed, with the reason (a half-written rotated file is skipped, not fatal) */
  skipped: string[];
  /** tasks dropped by tasksMax */
  droppedTasks: number;
}

const FILE_RE = /^site-trace(?:\.(\d+))?\.json$/;

/** The trace files of a directory, oldest first. */
export function siteTraceFiles(dir: string): string[] {
  const found: Array<{ name: string; age: number }> = [];
  for (const name of readdirSync(dir)) {
    const m = FILE_RE.exec(name);
    if (m) found.push({ name, age: m[1] === undefined ? 0 : Number(m[1]) });
  }
  return found.sort((a, b) => b.age - a.age).map((f) => join(dir, f.name));
}

/** `path` is one trace file or a directory of rotated trace files. Throws naming the path when nothing is usable. */
export function readSiteTrace(path: string, o: ReadSiteTraceOptions): SiteTraceRead {
  if (!(Number.isInteger(o.tasksMax) && o.tasksMax > 0)) throw new RangeError('tasksMax must be an integer > 0');
  if (!existsSync(path)) throw new Error(`site trace ${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) {
    return mergeSiteTraces([parseSiteTrace(readFileSync(path, 'utf8'), path)], [path], [], o.tasksMax);
  }
  const files = siteTraceFiles(path);
  if (files.length === 0) throw new Error(`site trace ${path}: no site-trace*.json files in the directory`);
  const traces: SiteTrace[] = [];
  const read: string[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    try {
      traces.push(parseSiteTrace(readFileSync(file, 'utf8'), file));
      read.push(file);
    } catch (err) {
      skipped.push(`${file}: ${(err as Error).message}`);
    }
  }
  if (traces.length === 0) throw new Error(`site trace ${path}: no readable file (${skipped.join('; ')})`);
  return mergeSiteTraces(traces, read, skipped, o.tasksMax);
}

/** Merges traces given oldest first; exported for tests. */
export function mergeSiteTraces(
  traces: readonly SiteTrace[],
  files: string[],
  skipped: string[],
  tasksMax: number,
): SiteTraceRead {
  const agents = new Map<string, SiteAgent>();
  const tasks = new Map<string, SiteTask>();
  const runs = new Map<string, SiteRun>();
  for (const t of traces) {
    for (const a of t.agents) agents.set(a.id, a); // the newest description of an agent wins
    for (const x of t.tasks) if (!tasks.has(x.id)) tasks.set(x.id, x);
    for (const r of t.runs) runs.set(`${r.taskId}\u0000${r.agentId}\u0000${r.startMs}`, r);
  }
  // stable sort: equal arrival times keep their recorded order
  let kept = [...tasks.values()].sort((a, b) => a.arrivalMs - b.arrivalMs);
  const droppedTasks = Math.max(0, kept.length - tasksMax);
  if (droppedTasks > 0) kept = kept.slice(droppedTasks);
  const keptIds = new Set(kept.map((x) => x.id));
  const keptRuns = [...runs.values()].filter((r) => keptIds.has(r.taskId)).sort((a, b) => a.startMs - b.startMs);
  return {
    trace: { version: SITE_TRACE_VERSION, agents: [...agents.values()], tasks: kept, runs: keptRuns },
    files,
    skipped,
    droppedTasks,
  };
}

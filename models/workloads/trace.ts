// Trace replay: a list of task arrivals (CSV or JSON) turned into a scenario on a workload's agents, optionally
// time-scaled to a target load. formatTrace* write the same formats, so a scenario round-trips through a file.
import { readFileSync } from 'node:fs';
import { SCENARIO_VERSION, type Scenario, type ScenarioTask } from '../sim/scenario.js';
import { realizeAgents } from './generate.js';
import { measuredLoad } from './load.js';
import type { Workload } from './workload.js';

export const TRACE_VERSION = 1;
export const TRACE_COLUMNS = [
  'arrivalMs',
  'id',
  'capability',
  'cpu',
  'memoryMb',
  'bandwidthKbps',
  'estDurationMs',
  'priority',
  'deadlineMs',
  'durationFactor',
] as const;
/** Bound on one trace file's rows, so a bad file cannot exhaust memory. */
export const TRACE_ROWS_MAX = 2_000_000;

export function formatTraceCsv(tasks: readonly ScenarioTask[]): string {
  const rows = tasks.map((t) =>
    [
      t.arrivalMs,
      t.id,
      t.capability,
      t.demand.cpu,
      t.demand.memoryMb,
      t.demand.bandwidthKbps,
      t.estDurationMs,
      t.priority,
      t.deadlineMs ?? '',
      t.durationFactor,
    ].join(','),
  );
  return [TRACE_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export function formatTraceJson(tasks: readonly ScenarioTask[]): string {
  return JSON.stringify({ version: TRACE_VERSION, tasks }, null, 1) + '\n';
}

/** Parses a CSV (header row with TRACE_COLUMNS; deadlineMs and durationFactor may be empty) or JSON trace. */
export function parseTrace(text: string, where = 'trace'): ScenarioTask[] {
  const trimmed = text.trimStart();
  const tasks = trimmed.startsWith('{') ? parseJson(trimmed, where) : parseCsv(text, where);
  if (tasks.length > TRACE_ROWS_MAX) throw new TypeError(`${where}: more than ${TRACE_ROWS_MAX} rows`);
  tasks.sort((a, b) => a.arrivalMs - b.arrivalMs);
  return tasks;
}

export function readTraceFile(path: string): ScenarioTask[] {
  return parseTrace(readFileSync(path, 'utf8'), path);
}

function parseJson(text: string, where: string): ScenarioTask[] {
  const data = JSON.parse(text) as { version?: unknown; tasks?: unknown };
  if (data.version !== TRACE_VERSION) throw new TypeError(`${where}.version must be ${TRACE_VERSION}`);
  if (!Array.isArray(data.tasks)) throw new TypeError(`${where}.tasks must be an array`);
  return data.tasks.map((t: Record<string, unknown>, i: number) =>
    checkTask(
      {
        ...(t as object),
        demand: (t.demand ?? {}) as ScenarioTask['demand'],
        durationFactor: (t.durationFactor as number | undefined) ?? 1,
        id: (t.id as string | undefined) ?? `t${i}`,
      } as ScenarioTask,
      `${where}.tasks[${i}]`,
    ),
  );
}

function parseCsv(text: string, where: string): ScenarioTask[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const col = (name: string): number => header.indexOf(name);
  for (const name of TRACE_COLUMNS.slice(0, 8)) {
    if (name !== 'id' && col(name) < 0) throw new TypeError(`${where}: CSV header lacks column "${name}"`);
  }
  return lines.map((line, i) => {
    const f = line.split(',');
    const get = (name: string): string => (col(name) >= 0 ? (f[col(name)] ?? '').trim() : '');
    const num = (name: string): number => (get(name) === '' ? Number.NaN : Number(get(name)));
    const t: ScenarioTask = {
      id: get('id') || `t${i}`,
      arrivalMs: num('arrivalMs'),
      capability: get('capability'),
      demand: { cpu: num('cpu'), memoryMb: num('memoryMb'), bandwidthKbps: num('bandwidthKbps') },
      estDurationMs: num('estDurationMs'),
      priority: num('priority'),
      durationFactor: get('durationFactor') === '' ? 1 : num('durationFactor'),
    };
    if (get('deadlineMs') !== '') t.deadlineMs = num('deadlineMs');
    return checkTask(t, `${where} row ${i + 2}`);
  });
}

function checkTask(t: ScenarioTask, where: string): ScenarioTask {
  const bad = (field: string): never => {
    throw new TypeError(`${where}.${field} is missing or invalid`);
  };
  if (!Number.isFinite(t.arrivalMs) || t.arrivalMs < 0) bad('arrivalMs');
  if (typeof t.capability !== 'string' || t.capability === '') bad('capability');
  for (const r of ['cpu', 'memoryMb', 'bandwidthKbps'] as const) {
    if (!(Number.isFinite(t.demand?.[r]) && t.demand[r] >= 0)) bad(r);
  }
  if (!(t.estDurationMs > 0)) bad('estDurationMs');
  if (!(Number.isInteger(t.priority) && t.priority >= 0 && t.priority <= 9)) bad('priority');
  if (t.deadlineMs !== undefined && !Number.isFinite(t.deadlineMs)) bad('deadlineMs');
  if (!(t.durationFactor > 0)) bad('durationFactor');
  return t;
}

export interface TraceScenarioOptions {
  /** seeds the agents' realization and failure timelines */
  seed: number;
  /** when set, arrival times (and deadlines with them) are scaled so the trace offers this load */
  load?: number | undefined;
  name?: string | undefined;
}

/** A scenario replaying the trace on the agents of `workload` (realized from the seed). */
export function scenarioFromTrace(w: Workload, tasks: readonly ScenarioTask[], o: TraceScenarioOptions): Scenario {
  const agents = realizeAgents(w, o.seed);
  let out = tasks.map((t) => ({ ...t, demand: { ...t.demand } }));
  let load = measuredLoad(agents, out);
  if (o.load !== undefined) {
    if (!(o.load > 0)) throw new TypeError(`load must be > 0, got ${o.load}`);
    const k = load / o.load;
    const t0 = out[0]?.arrivalMs ?? 0;
    out = out.map((t) => {
      const arrivalMs = t0 + (t.arrivalMs - t0) * k;
      const s: ScenarioTask = { ...t, arrivalMs };
      if (t.deadlineMs !== undefined) s.deadlineMs = arrivalMs + (t.deadlineMs - t.arrivalMs);
      return s;
    });
    load = o.load;
  }
  return { version: SCENARIO_VERSION, name: o.name ?? `${w.name}+trace`, seed: o.seed, load, agents, tasks: out };
}

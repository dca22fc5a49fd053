// The site trace of the live gateway, in the format `agentos model train --trace FILE` reads (models/rl/site-trace.ts,
// version 1: agents, task arrivals, and each completed run's observed duration on its agent). Recorded under
// <dataDir>/scheduler/site-trace.json, rewritten atomically at most every flushIntervalMs; after tasksPerFileMax
// arrivals the file rotates to site-trace.1.json (older ones shift up to filesMax - 1 and the oldest is deleted), and
// tasks still running are carried into the new file so their runs keep their arrival. A restart rotates the old file.
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SiteTraceRecorder } from '../../models/rl/site-trace.js';
import type { AgentView, TaskView } from './policy.js';

export interface SiteTraceFileOptions {
  dir: string;
  tasksPerFileMax: number;
  filesMax: number;
  flushIntervalMs: number;
  logger: Logger;
}

export type TraceAgent = Pick<AgentView, 'id' | 'kind' | 'capabilities' | 'capacity' | 'linkQuality'>;

interface InFlight {
  task: TaskView;
  agent: TraceAgent;
  atMs: number;
}

/** tasks placed and not yet finished that are carried across a rotation */
const IN_FLIGHT_MAX = 100_000;
// A file holds at most tasksPerFileMax new arrivals (counted here) plus the tasks carried into it, so the recorder's
// own keep-the-newest bound is set above that sum and never drops a carried task.

export class SiteTraceFile {
  readonly path: string;
  #recorder: SiteTraceRecorder;
  #arrivals = 0;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  readonly #inFlight = new Map<string, InFlight>();
  readonly #agents = new Map<string, TraceAgent>();
  #runs = 0;
  #rotations = 0;

  constructor(private readonly o: SiteTraceFileOptions) {
    this.path = join(o.dir, 'site-trace.json');
    this.#recorder = new SiteTraceRecorder(o.tasksPerFileMax + IN_FLIGHT_MAX);
  }

  async start(): Promise<void> {
    if (this.#timer) return;
    await mkdir(this.o.dir, { recursive: true });
    // a trace left by the previous run is kept as the newest rotated file
    if (await exists(this.path)) await this.#shift();
    this.#timer = setInterval(() => this.#flushSoon(), this.o.flushIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flushSoon();
    await this.#writing;
  }

  /** writes what was recorded so far (a retrain reads the files) */
  async flush(): Promise<void> {
    this.#flushSoon();
    await this.#writing;
  }

  get stats(): { path: string; arrivals: number; runs: number; rotations: number } {
    return { path: this.path, arrivals: this.#arrivals, runs: this.#runs, rotations: this.#rotations };
  }

  arrival(task: TaskView): void {
    if (this.#arrivals >= this.o.tasksPerFileMax) this.#rotate();
    this.#recorder.arrival(task);
    this.#arrivals++;
    this.#dirty = true;
  }

  placement(task: TaskView, agent: TraceAgent, atMs: number): void {
    this.agent(agent);
    this.#recorder.placement(task.id, agent.id, atMs);
    if (this.#inFlight.size >= IN_FLIGHT_MAX) this.#inFlight.delete(this.#inFlight.keys().next().value!);
    this.#inFlight.set(task.id, { task, agent, atMs });
    this.#dirty = true;
  }

  /** the task finished on the agent of its current attempt */
  completion(taskId: string, agentId: string, atMs: number): void {
    this.#recorder.completion(taskId, agentId, atMs);
    this.#inFlight.delete(taskId);
    this.#runs++;
    this.#dirty = true;
  }

  /** the attempt ended without a result (lost, failed, timed out, cancelled) */
  abandoned(taskId: string): void {
    this.#inFlight.delete(taskId);
  }

  /** an agent that can take tasks, recorded even before its first placement so the replay offers it too */
  agent(agent: TraceAgent): void {
    this.#agents.set(agent.id, agent);
    this.#recorder.agent(asView(agent));
    this.#dirty = true;
  }

  #rotate(): void {
    const full = JSON.stringify(this.#recorder.toJSON());
    this.#recorder = new SiteTraceRecorder(this.o.tasksPerFileMax + IN_FLIGHT_MAX);
    this.#arrivals = 0;
    this.#rotations++;
    for (const a of this.#agents.values()) this.#recorder.agent(asView(a));
    const carried = [...this.#inFlight.values()].sort((a, b) => a.task.arrivalMs - b.task.arrivalMs);
    for (const f of carried) {
      this.#recorder.arrival(f.task);
      this.#recorder.placement(f.task.id, f.agent.id, f.atMs);
    }
    this.#dirty = true;
    this.#enqueueWrite(async () => {
      await writeAtomic(this.path, full);
      await this.#shift();
    });
  }

  #flushSoon(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const trace = this.#recorder.toJSON();
    if (trace.agents.length === 0) return; // the trainer refuses a trace without agents
    trace.tasks.sort((a, b) => a.arrivalMs - b.arrivalMs);
    const text = JSON.stringify(trace);
    this.#enqueueWrite(() => writeAtomic(this.path, text));
  }

  #enqueueWrite(fn: () => Promise<void>): void {
    this.#writing = this.#writing
      .then(fn)
      .catch((err: unknown) => this.o.logger.warn({ err, path: this.path }, 'site trace not written'));
  }

  /** site-trace.json -> .1, .1 -> .2, ...; the file past filesMax - 1 is deleted */
  async #shift(): Promise<void> {
    const name = (i: number) => (i === 0 ? this.path : join(this.o.dir, `site-trace.${i}.json`));
    const last = this.o.filesMax - 1;
    if (last <= 0) {
      await rm(this.path, { force: true });
      return;
    }
    await rm(name(last), { force: true });
    for (let i = last - 1; i >= 0; i--) {
      if (await exists(name(i))) await rename(name(i), name(i + 1));
    }
  }
}

function asView(a: TraceAgent): AgentView {
  const zero = { cpu: 0, memoryMb: 0, bandwidthKbps: 0 };
  return { ...a, used: zero, running: 0, estFreeAtMs: 0, speed: 1 };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

// One supervised software agent: runs its entry as a child node process, enforces its memory limit (V8 heap limit
// plus an RSS watch), restarts it per its policy, stops it with SIGTERM then SIGKILL, and writes its output to a
// rotated log. Emits 'status' with the new AgentInfo whenever the status changes.
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { DriverLogger } from '../../../drivers/driver.js';
import type { LoadedAgent } from './manifest.js';
import { ProcMeter } from './proc-stats.js';
import { decideRestart, describeEnd, type RestartState, type RunEnd } from './restart-policy.js';
import { RotatingLog } from './rotating-log.js';
import { type SandboxArgs, type SandboxPlan, toPlan } from './sandbox.js';

export type SupervisedStatus = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';

export interface AgentInfo {
  name: string;
  dir: string;
  pid: number | null;
  status: SupervisedStatus;
  /** why the agent is stopped or failed, or how its last run ended */
  reason: string | null;
  restarts: number;
  /** 100 = one core */
  cpuPct: number;
  rssBytes: number;
  memoryLimitMb: number;
  capabilities: readonly string[];
  startedAtMs: number | null;
}

export interface AgentProcessContext {
  loaded: LoadedAgent;
  logDir: string;
  storageDir: string;
  sandboxArgs: SandboxArgs;
  /** extra environment from the gateway (its URL, credentials); wins over the manifest's env */
  kernelEnv: Record<string, string>;
  logger: DriverLogger;
  logBytesMax: number;
  logFilesMax: number;
}

/** environment variables inherited from the gateway; anything else (secrets) is not passed on */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];
const HEAP_OOM = /heap limit|JavaScript heap out of memory/;

export class AgentProcess extends EventEmitter {
  private child: ChildProcess | null = null;
  private meter: ProcMeter | null = null;
  private status: SupervisedStatus = 'stopped';
  private reason: string | null = null;
  private restarts = 0;
  private startedAtMs: number | null = null;
  private killedFor: string | undefined;
  private heapOom = false;
  private backoffTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly restartState: RestartState = { consecutiveFailures: 0, restartTimesMs: [] };
  readonly log: RotatingLog;

  constructor(private readonly ctx: AgentProcessContext) {
    super();
    this.log = new RotatingLog({
      dir: ctx.logDir,
      name: ctx.loaded.manifest.name,
      bytesMax: ctx.logBytesMax,
      filesMax: ctx.logFilesMax,
    });
  }

  get name(): string {
    return this.ctx.loaded.manifest.name;
  }

  get loaded(): LoadedAgent {
    return this.ctx.loaded;
  }

  info(): AgentInfo {
    const m = this.ctx.loaded.manifest;
    return {
      name: m.name,
      dir: this.ctx.loaded.dir,
      pid: this.child?.pid ?? null,
      status: this.status,
      reason: this.reason,
      restarts: this.restarts,
      cpuPct: this.meter?.cpuPct ?? 0,
      rssBytes: this.meter?.rssBytes ?? 0,
      memoryLimitMb: m.limits.memoryMb,
      capabilities: m.capabilities,
      startedAtMs: this.startedAtMs,
    };
  }

  private setStatus(status: SupervisedStatus, reason: string | null): void {
    this.status = status;
    this.reason = reason;
    this.emit('status', this.info());
  }

  /** Starts the agent (fresh restart history). Idempotent while it runs. */
  start(): void {
    if (this.child || this.status === 'backoff') return;
    this.restartState.consecutiveFailures = 0;
    this.restartState.restartTimesMs = [];
    this.launch();
  }

  private commandLine(plan: SandboxPlan): { command: string; args: string[] } {
    const { manifest, entryPath } = this.ctx.loaded;
    const args = [`--max-old-space-size=${manifest.limits.memoryMb}`, ...plan.nodeArgs];
    if (entryPath.endsWith('.ts') || entryPath.endsWith('.mts')) args.push('--import', import.meta.resolve('tsx'));
    const node = [...args, entryPath, ...manifest.args];
    const [wrapper, ...wrapperArgs] = plan.prefix ?? [];
    return wrapper
      ? { command: wrapper, args: [...wrapperArgs, process.execPath, ...node] }
      : { command: process.execPath, args: node };
  }

  private env(plan: SandboxPlan): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of INHERITED_ENV) {
      const v = process.env[k];
      if (v !== undefined) env[k] = v;
    }
    return { ...env, ...this.ctx.loaded.manifest.env, ...this.ctx.kernelEnv, ...plan.env };
  }

  /** The sandbox's plan, or null when it refused (the agent is then failed with the reason; no restart). */
  private plan(): SandboxPlan | null {
    const { manifest, dir, entryPath } = this.ctx.loaded;
    try {
      return toPlan(this.ctx.sandboxArgs(manifest, { agentDir: dir, entryPath, storageDir: this.ctx.storageDir }));
    } catch (err) {
      const reason = `sandbox refused to start the agent: ${(err as Error).message}`;
      this.log.line('kernel', reason);
      this.ctx.logger.warn({ agent: this.name, reason }, 'agent failed');
      this.setStatus('failed', reason);
      return null;
    }
  }

  private launch(): void {
    this.killedFor = undefined;
    this.heapOom = false;
    const startedAtMs = Date.now();
    this.startedAtMs = startedAtMs;
    this.status = 'starting';
    const plan = this.plan();
    if (!plan) return;
    let child: ChildProcess;
    try {
      const { command, args } = this.commandLine(plan);
      child = spawn(command, args, {
        cwd: this.ctx.loaded.dir,
        env: this.env(plan),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      this.onEnd({
        code: 127,
        signal: null,
        killedFor: `spawn failed: ${(err as Error).message}`,
        startedAtMs,
        endedAtMs: Date.now(),
      });
      return;
    }
    this.child = child;
    let resolveExit: () => void = () => {};
    this.exited = new Promise((r) => {
      resolveExit = r;
    });
    child.stdout?.on('data', (d: Buffer) => this.log.chunk('out', d));
    child.stderr?.on('data', (d: Buffer) => {
      if (HEAP_OOM.test(d.toString())) this.heapOom = true;
      this.log.chunk('err', d);
    });
    child.once('error', (err) => this.log.line('kernel', `spawn error: ${err.message}`));
    child.once('exit', (code, signal) => {
      this.log.flush();
      this.child = null;
      this.meter = null;
      if (this.killTimer) clearTimeout(this.killTimer);
      this.killTimer = null;
      const heap = this.heapOom
        ? `memory limit exceeded: V8 heap limit ${this.ctx.loaded.manifest.limits.memoryMb} MiB reached`
        : undefined;
      this.onEnd({ code, signal, killedFor: this.killedFor ?? heap, startedAtMs, endedAtMs: Date.now() });
      resolveExit();
    });
    if (child.pid !== undefined) {
      this.meter = new ProcMeter(child.pid);
      this.meter.sample();
      this.log.line('kernel', `started pid ${child.pid}`);
      this.setStatus('running', null);
    }
  }

  private onEnd(end: RunEnd): void {
    const why = describeEnd(end);
    this.log.line('kernel', `ended: ${why}`);
    if (this.status === 'stopping' || this.status === 'stopped') {
      this.setStatus('stopped', `stopped by request (${why})`);
      return;
    }
    const decision = decideRestart(this.ctx.loaded.manifest.restart, this.restartState, end);
    if (decision.action === 'stop') {
      if (decision.status === 'failed')
        this.ctx.logger.warn({ agent: this.name, reason: decision.reason }, 'agent failed');
      this.setStatus(decision.status, decision.reason);
      return;
    }
    this.setStatus('backoff', `${why}; restarting in ${decision.delayMs} ms`);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      this.restarts++;
      this.launch();
    }, decision.delayMs);
  }

  /** Samples cpu and rss; kills the process when its RSS is over the limit. Called by the supervisor's poll. */
  poll(): void {
    if (!this.child || !this.meter) return;
    if (!this.meter.sample()) return;
    const limitBytes = this.ctx.loaded.manifest.limits.memoryMb * 1024 * 1024;
    if (this.meter.rssBytes > limitBytes && this.killedFor === undefined) {
      const rssMb = (this.meter.rssBytes / 1024 / 1024).toFixed(1);
      this.killedFor = `memory limit exceeded: rss ${rssMb} MiB > limit ${this.ctx.loaded.manifest.limits.memoryMb} MiB`;
      this.log.line('kernel', this.killedFor);
      this.child.kill('SIGKILL');
    }
  }

  /** SIGTERM, then SIGKILL after stopGraceMs; resolves when the process is gone. Idempotent. */
  async stop(reason = 'stopped by request'): Promise<void> {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    const child = this.child;
    if (!child) {
      if (this.status !== 'stopped' && this.status !== 'failed') this.setStatus('stopped', reason);
      return;
    }
    if (this.status !== 'stopping') {
      this.setStatus('stopping', reason);
      child.kill('SIGTERM');
      this.killTimer = setTimeout(() => {
        this.log.line('kernel', `no exit ${this.ctx.loaded.manifest.stopGraceMs} ms after SIGTERM; SIGKILL`);
        child.kill('SIGKILL');
      }, this.ctx.loaded.manifest.stopGraceMs);
    }
    await this.exited;
  }

  /** Stops, then starts with a fresh restart history. */
  async restart(): Promise<void> {
    await this.stop('restarting');
    this.restarts++;
    this.start();
  }

  close(): void {
    this.log.close();
  }
}

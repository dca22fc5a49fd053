// The supervisor of software agents: installs agent folders, runs each as a child process (AgentProcess), samples
// their cpu and memory on one timer, and remembers installed agents across gateway restarts. Emits 'status'
// (AgentInfo) when any agent's status changes.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverLogger } from '../../../drivers/driver.js';
import { type AgentInfo, AgentProcess } from './agent-process.js';
import { InstalledAgents, killOrphan } from './installed-agents.js';
import { type AgentManifest, type LoadedAgent, loadAgentDir } from './manifest.js';
import { noSandbox, type SandboxArgs } from './sandbox.js';

export interface SupervisorOptions {
  /** the gateway's data dir; the supervisor uses <dataDir>/kernel */
  dataDir: string;
  logger: DriverLogger;
  sandboxArgs?: SandboxArgs | undefined;
  /** environment the gateway gives each agent (its MQTT URL, credentials) */
  kernelEnv?: ((name: string) => Record<string, string>) | undefined;
  /** the files area the agent's process may use directly; default <dataDir>/storage/<name>/files (see storage/) */
  storageDirFor?: ((name: string, manifest: AgentManifest) => string) | undefined;
  /** cpu/rss sampling and RSS limit check period, ms */
  pollMs?: number | undefined;
  logBytesMax?: number | undefined;
  logFilesMax?: number | undefined;
  agentsMax?: number | undefined;
}

export class SupervisorError extends Error {
  override name = 'SupervisorError';
}

export class Supervisor extends EventEmitter {
  private readonly agents = new Map<string, AgentProcess>();
  private readonly installed: InstalledAgents;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly kernelDir: string;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.kernelDir = join(opts.dataDir, 'kernel');
    this.installed = new InstalledAgents(this.kernelDir);
  }

  private storageDir(name: string, manifest: AgentManifest): string {
    return this.opts.storageDirFor?.(name, manifest) ?? join(this.opts.dataDir, 'storage', name, 'files');
  }

  /** Loads installed agents and starts those wanted running. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    mkdirSync(this.kernelDir, { recursive: true });
    for (const entry of this.installed.load()) {
      let loaded: LoadedAgent;
      try {
        loaded = loadAgentDir(entry.dir);
      } catch (err) {
        // keep the entry: the folder may come back (a remounted disk); the operator sees the error in the log
        this.opts.logger.error({ agent: entry.name, err: (err as Error).message }, 'installed agent cannot load');
        continue;
      }
      if (entry.pid !== null && killOrphan(entry.pid, loaded.entryPath)) {
        this.opts.logger.warn({ agent: entry.name, pid: entry.pid }, 'killed agent process left by previous run');
      }
      const agent = this.create(loaded);
      if (entry.desired === 'running') agent.start();
      else this.installed.update(entry.name, { pid: null });
    }
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 500);
  }

  private create(loaded: LoadedAgent): AgentProcess {
    const name = loaded.manifest.name;
    const storageDir = this.storageDir(name, loaded.manifest);
    mkdirSync(storageDir, { recursive: true, mode: 0o700 });
    const agent = new AgentProcess({
      loaded,
      logDir: join(this.kernelDir, 'logs'),
      storageDir,
      sandboxArgs: this.opts.sandboxArgs ?? noSandbox,
      kernelEnv: {
        ...(this.opts.kernelEnv?.(name) ?? {}),
        AGENTOS_AGENT_ID: name,
        AGENTOS_STORAGE_DIR: storageDir,
      },
      logger: this.opts.logger,
      logBytesMax: this.opts.logBytesMax ?? 1024 * 1024,
      logFilesMax: this.opts.logFilesMax ?? 3,
    });
    agent.on('status', (info: AgentInfo) => {
      this.installed.update(name, { pid: info.pid });
      this.emit('status', info);
    });
    this.agents.set(name, agent);
    return agent;
  }

  private poll(): void {
    for (const a of this.agents.values()) a.poll();
  }

  private need(name: string): AgentProcess {
    const a = this.agents.get(name);
    if (!a) throw new SupervisorError(`no installed agent named ${JSON.stringify(name)}`);
    return a;
  }

  /** Installs (or reinstalls from the same folder) and starts an agent folder. */
  async install(dir: string): Promise<AgentInfo> {
    if (!this.started) throw new SupervisorError('supervisor is not started');
    const loaded = loadAgentDir(dir);
    const name = loaded.manifest.name;
    const existing = this.agents.get(name);
    if (existing && existing.loaded.dir !== loaded.dir) {
      throw new SupervisorError(`agent name ${name} is already installed from ${existing.loaded.dir}`);
    }
    const agentsMax = this.opts.agentsMax ?? 64;
    if (!existing && this.agents.size >= agentsMax) {
      throw new SupervisorError(`too many agents: agentsMax is ${agentsMax}`);
    }
    if (existing) {
      await existing.stop('reinstalling');
      existing.close();
      this.agents.delete(name);
    }
    this.installed.set({ name, dir: loaded.dir, desired: 'running', pid: null });
    const agent = this.create(loaded);
    agent.start();
    return agent.info();
  }

  async stopAgent(name: string): Promise<AgentInfo> {
    const a = this.need(name);
    this.installed.update(name, { desired: 'stopped' });
    await a.stop();
    return a.info();
  }

  async startAgent(name: string): Promise<AgentInfo> {
    const a = this.need(name);
    this.installed.update(name, { desired: 'running' });
    a.start();
    return a.info();
  }

  async restartAgent(name: string): Promise<AgentInfo> {
    const a = this.need(name);
    this.installed.update(name, { desired: 'running' });
    await a.restart();
    return a.info();
  }

  /** Stops and forgets an agent; its folder and storage stay on disk. */
  async remove(name: string): Promise<void> {
    const a = this.need(name);
    await a.stop('removed');
    a.close();
    this.agents.delete(name);
    this.installed.delete(name);
  }

  list(): AgentInfo[] {
    return [...this.agents.values()].map((a) => a.info());
  }

  get(name: string): AgentInfo | undefined {
    return this.agents.get(name)?.info();
  }

  manifestOf(name: string): LoadedAgent | undefined {
    return this.agents.get(name)?.loaded;
  }

  logs(name: string, linesMax = 100): string[] {
    return this.need(name).log.tail(Math.min(Math.max(1, linesMax), 10000));
  }

  /** Stops every agent process (they stay installed and wanted, so they come back on the next start). Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const agents = [...this.agents.values()];
    // the gateway is going down: keep each agent's desired state, only end the processes
    await Promise.all(agents.map((a) => a.stop('gateway stopping')));
    for (const a of agents) a.close();
    this.agents.clear();
  }
}

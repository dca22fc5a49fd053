// Resource accounting: per agent cpu%, rss, battery, messages and bytes in/out per second, and gateway totals.
// Message counts come from the bus (countIn/countOut), cpu and rss of software agents from the supervisor's /proc
// samples, cpu/memory/battery of devices from the `use` they report in telemetry. Rates are computed once per
// windowMs on one timer.
import type { Resources } from '../../../drivers/driver.js';
import type { ResourceVector } from '../../scheduler/policy.js';
import { ProcMeter } from '../supervisor/proc-stats.js';

export interface AgentUse {
  agentId: string;
  /** 100 = one core; null when unknown */
  cpuPct: number | null;
  rssBytes: number | null;
  /** 0..1, null when not reported */
  battery: number | null;
  msgsInPerS: number;
  msgsOutPerS: number;
  bytesInPerS: number;
  bytesOutPerS: number;
  /** totals since the gateway started */
  msgsIn: number;
  msgsOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface GatewayTotals {
  agents: number;
  /** the gateway process itself */
  gatewayCpuPct: number;
  gatewayRssBytes: number;
  /** sums over agents with a known value */
  agentsCpuPct: number;
  agentsRssBytes: number;
  msgsInPerS: number;
  msgsOutPerS: number;
  bytesInPerS: number;
  bytesOutPerS: number;
}

export interface ProcessUse {
  name: string;
  cpuPct: number;
  rssBytes: number;
  pid: number | null;
}

interface Row {
  use: AgentUse;
  /** totals at the last window edge */
  mark: { msgsIn: number; msgsOut: number; bytesIn: number; bytesOut: number };
  seenMs: number;
}

export interface AccountingOptions {
  windowMs?: number | undefined;
  /** rows kept; the least recently seen agent's row is dropped beyond this */
  agentsMax?: number | undefined;
  /** software agents' /proc samples (the supervisor's list) */
  processes?: (() => ProcessUse[]) | undefined;
  /** use agents reported in telemetry (the registry's table) */
  reported?: (() => Iterable<[string, Partial<Resources>]>) | undefined;
  /** the clock for last-seen marks, read per message (the gateway passes its CoarseClock); default Date.now */
  now?: (() => number) | undefined;
}

function emptyUse(agentId: string): AgentUse {
  return {
    agentId,
    cpuPct: null,
    rssBytes: null,
    battery: null,
    msgsInPerS: 0,
    msgsOutPerS: 0,
    bytesInPerS: 0,
    bytesOutPerS: 0,
    msgsIn: 0,
    msgsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}

export class ResourceAccounting {
  private readonly rows = new Map<string, Row>();
  private timer: NodeJS.Timeout | null = null;
  private lastTickMs = 0;
  private readonly self = new ProcMeter(process.pid);
  private readonly now: () => number;

  constructor(private readonly opts: AccountingOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Sets where /proc samples and reported use come from (the kernel component wires these at start). */
  setSources(sources: Pick<AccountingOptions, 'processes' | 'reported'>): void {
    this.opts.processes = sources.processes;
    this.opts.reported = sources.reported;
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.lastTickMs = Date.now();
    this.self.sample(this.lastTickMs);
    this.timer = setInterval(() => this.tick(), this.opts.windowMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private row(agentId: string): Row {
    let r = this.rows.get(agentId);
    if (!r) {
      r = { use: emptyUse(agentId), mark: { msgsIn: 0, msgsOut: 0, bytesIn: 0, bytesOut: 0 }, seenMs: this.now() };
      this.rows.set(agentId, r);
      if (this.rows.size > (this.opts.agentsMax ?? 10000)) this.evictOldest();
    }
    return r;
  }

  private evictOldest(): void {
    let oldest: string | undefined;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const [id, r] of this.rows) {
      if (r.seenMs < oldestMs) {
        oldestMs = r.seenMs;
        oldest = id;
      }
    }
    if (oldest !== undefined) this.rows.delete(oldest);
  }

  /** a message from the agent reached the gateway */
  countIn(agentId: string, bytes: number): void {
    const r = this.row(agentId);
    r.use.msgsIn++;
    r.use.bytesIn += bytes;
    r.seenMs = this.now();
  }

  /** a message for the agent left the gateway */
  countOut(agentId: string, bytes: number): void {
    const r = this.row(agentId);
    r.use.msgsOut++;
    r.use.bytesOut += bytes;
  }

  /** resource use an agent reported (telemetry `use`); cpu in cores, memory in MiB */
  reportUse(agentId: string, use: Partial<Resources>): void {
    const r = this.row(agentId);
    if (use.cpu !== undefined) r.use.cpuPct = use.cpu * 100;
    if (use.memoryMb !== undefined) r.use.rssBytes = use.memoryMb * 1024 * 1024;
    if (use.battery !== undefined) r.use.battery = use.battery;
    r.seenMs = this.now();
  }

  forget(agentId: string): void {
    this.rows.delete(agentId);
  }

  /** Closes a rate window; public so tests and benchmarks can drive it without waiting for the timer. */
  tick(nowMs: number = Date.now()): void {
    const dtS = (nowMs - this.lastTickMs) / 1000;
    if (dtS <= 0) return;
    this.lastTickMs = nowMs;
    this.self.sample(nowMs);
    for (const r of this.rows.values()) {
      const u = r.use;
      u.msgsInPerS = (u.msgsIn - r.mark.msgsIn) / dtS;
      u.msgsOutPerS = (u.msgsOut - r.mark.msgsOut) / dtS;
      u.bytesInPerS = (u.bytesIn - r.mark.bytesIn) / dtS;
      u.bytesOutPerS = (u.bytesOut - r.mark.bytesOut) / dtS;
      r.mark = { msgsIn: u.msgsIn, msgsOut: u.msgsOut, bytesIn: u.bytesIn, bytesOut: u.bytesOut };
    }
    for (const [id, use] of this.opts.reported?.() ?? []) {
      if (use.cpu !== undefined || use.memoryMb !== undefined || use.battery !== undefined) this.reportUse(id, use);
    }
    for (const p of this.opts.processes?.() ?? []) {
      const r = this.row(p.name);
      r.use.cpuPct = p.pid === null ? 0 : p.cpuPct;
      r.use.rssBytes = p.pid === null ? 0 : p.rssBytes;
      r.seenMs = nowMs;
    }
  }

  agent(agentId: string): AgentUse | undefined {
    const r = this.rows.get(agentId);
    return r ? { ...r.use } : undefined;
  }

  agents(): AgentUse[] {
    return [...this.rows.values()].map((r) => ({ ...r.use }));
  }

  totals(): GatewayTotals {
    const t: GatewayTotals = {
      agents: this.rows.size,
      gatewayCpuPct: this.self.cpuPct,
      gatewayRssBytes: this.self.rssBytes,
      agentsCpuPct: 0,
      agentsRssBytes: 0,
      msgsInPerS: 0,
      msgsOutPerS: 0,
      bytesInPerS: 0,
      bytesOutPerS: 0,
    };
    for (const { use: u } of this.rows.values()) {
      t.agentsCpuPct += u.cpuPct ?? 0;
      t.agentsRssBytes += u.rssBytes ?? 0;
      t.msgsInPerS += u.msgsInPerS;
      t.msgsOutPerS += u.msgsOutPerS;
      t.bytesInPerS += u.bytesInPerS;
      t.bytesOutPerS += u.bytesOutPerS;
    }
    return t;
  }

  /**
   * Observed use in the scheduler's units, for the Observation's agent view: cpu in cores, memory in MiB, bandwidth
   * in kbit/s (bytes in+out per second), battery 0..1. Fields the gateway does not know are left out.
   */
  observedUse(agentId: string): Partial<ResourceVector> & { battery?: number } {
    const u = this.rows.get(agentId)?.use;
    if (!u) return {};
    const out: Partial<ResourceVector> & { battery?: number } = {
      bandwidthKbps: ((u.bytesInPerS + u.bytesOutPerS) * 8) / 1000,
    };
    if (u.cpuPct !== null) out.cpu = u.cpuPct / 100;
    if (u.rssBytes !== null) out.memoryMb = u.rssBytes / 1024 / 1024;
    if (u.battery !== null) out.battery = u.battery;
    return out;
  }
}

// Per-process cpu and memory from Linux /proc. cpu% comes from the change of utime+stime between two samples
// (100% = one core busy); rss from VmRSS in /proc/<pid>/status. Only the process itself is counted, not its children.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicksPerS: number | undefined;

/** USER_HZ; 100 on every Linux we target, asked once from getconf in case a kernel differs. */
export function clockTicks(): number {
  if (clockTicksPerS === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicksPerS = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      clockTicksPerS = 100;
    }
  }
  return clockTicksPerS;
}

export interface ProcSample {
  /** utime + stime, clock ticks */
  cpuTicks: number;
  /** wall clock of the sample, ms */
  atMs: number;
  rssBytes: number;
  /** one-letter process state from /proc (R, S, Z, ...) */
  state: string;
}

/** One sample, or null when the process is gone. */
export function readProcSample(pid: number, nowMs: number = Date.now()): ProcSample | null {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) may contain spaces and parentheses; fields after the last ')' are fixed
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = rest[0] ?? '?';
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  const rssBytes = m ? Number(m[1]) * 1024 : 0;
  return { cpuTicks: utime + stime, atMs: nowMs, rssBytes, state };
}

/** cpu% between two samples of the same process; 100 = one core. */
export function cpuPercent(prev: ProcSample, next: ProcSample): number {
  const wallS = (next.atMs - prev.atMs) / 1000;
  if (wallS <= 0) return 0;
  const cpuS = (next.cpuTicks - prev.cpuTicks) / clockTicks();
  return Math.max(0, (cpuS / wallS) * 100);
}

/** Keeps the previous sample per pid so each poll yields cpu% and rss. */
export class ProcMeter {
  private prev: ProcSample | null = null;
  cpuPct = 0;
  rssBytes = 0;

  constructor(readonly pid: number) {}

  /** false when the process is gone */
  sample(nowMs: number = Date.now()): boolean {
    const s = readProcSample(this.pid, nowMs);
    if (!s) return false;
    if (this.prev) this.cpuPct = cpuPercent(this.prev, s);
    this.prev = s;
    this.rssBytes = s.rssBytes;
    return true;
  }
}

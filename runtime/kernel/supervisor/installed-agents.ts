// The list of installed software agents, persisted so they come back after a gateway restart. Each entry keeps the
// folder, whether the operator wants it running, and the pid of its last run so that a process orphaned by a gateway
// crash can be found and ended before the agent is started again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../atomic-file.js';

export interface InstalledAgent {
  name: string;
  dir: string;
  desired: 'running' | 'stopped';
  /** pid of the last run, null when none is running */
  pid: number | null;
}

export class InstalledAgents {
  private readonly path: string;
  private entries = new Map<string, InstalledAgent>();

  constructor(kernelDir: string) {
    this.path = join(kernelDir, 'installed-agents.json');
  }

  load(): InstalledAgent[] {
    const raw = readJsonFile<{ agents?: InstalledAgent[] }>(this.path, { agents: [] });
    this.entries = new Map((raw.agents ?? []).map((a) => [a.name, a]));
    return [...this.entries.values()];
  }

  get(name: string): InstalledAgent | undefined {
    return this.entries.get(name);
  }

  set(entry: InstalledAgent): void {
    this.entries.set(entry.name, entry);
    this.save();
  }

  update(name: string, patch: Partial<InstalledAgent>): void {
    const e = this.entries.get(name);
    if (!e) return;
    const next = { ...e, ...patch };
    if (next.desired === e.desired && next.pid === e.pid && next.dir === e.dir) return;
    this.entries.set(name, next);
    this.save();
  }

  delete(name: string): void {
    if (this.entries.delete(name)) this.save();
  }

  private save(): void {
    writeFileAtomic(this.path, `${JSON.stringify({ agents: [...this.entries.values()] }, null, 2)}\n`);
  }
}

/** Ends a process left over from a previous gateway run, if that pid still runs this agent's entry. */
export function killOrphan(pid: number, entryPath: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  if (!cmdline.split('\0').includes(entryPath)) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

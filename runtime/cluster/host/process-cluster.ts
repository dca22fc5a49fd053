// Runs N cluster node processes (node-main.ts) on loopback for the failover test and benchmark: free ports, one data
// directory per node, kill -9 and restart, leader tracking from the processes' status lines, and puts/dumps over
// stdin/stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../util/free-port.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'node-main.ts');

export interface NodeStatus {
  role: string;
  term: number;
  leader: string;
  at: number;
}

interface Proc {
  child: ChildProcess;
  status: NodeStatus | undefined;
  replies: Map<number, (o: Record<string, unknown>) => void>;
}

export class ProcessCluster {
  readonly ids: string[];
  private readonly procs = new Map<string, Proc>();
  private ports: Record<string, number> = {};
  private dir = '';
  private seq = 0;
  /** Called on every status line: (node id, status). */
  onStatus: ((id: string, s: NodeStatus) => void) | undefined;

  constructor(
    size: number,
    private readonly profile: 'fast' | 'default',
  ) {
    this.ids = Array.from({ length: size }, (_, i) => `g${i + 1}`);
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'raft-procs-'));
    for (const id of this.ids) this.ports[id] = await freePort();
    await Promise.all(this.ids.map((id) => this.spawn(id)));
  }

  /** Starts a node process and resolves once it reports ready. */
  spawn(id: string): Promise<void> {
    const peers = this.ids.map((p) => `${p}=${this.ports[p]}`).join(',');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--id', id, '--peers', peers, '--dir', join(this.dir, id), '--profile', this.profile],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const proc: Proc = { child, status: undefined, replies: new Map() };
    this.procs.set(id, proc);
    return new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code} before ready`)));
      rl.on('line', (line) => {
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        if (o.event === 'ready') resolve();
        else if (o.event === 'fatal') reject(new Error(`node ${id}: ${String(o.message)}`));
        else if (o.event === 'status') {
          const s = { role: String(o.role), term: Number(o.term), leader: String(o.leader), at: performance.now() };
          proc.status = s;
          this.onStatus?.(id, s);
        } else if (typeof o.reply === 'number') {
          proc.replies.get(o.reply)?.(o);
          proc.replies.delete(o.reply);
        }
      });
    });
  }

  /** kill -9; the node's files stay for its restart. */
  kill(id: string): void {
    const p = this.procs.get(id);
    if (!p) return;
    this.procs.delete(id);
    p.child.kill('SIGKILL');
  }

  isUp(id: string): boolean {
    return this.procs.has(id);
  }

  /** The live node that reports itself leader with the highest term. */
  leader(): { id: string; term: number } | undefined {
    let best: { id: string; term: number } | undefined;
    for (const [id, p] of this.procs) {
      const s = p.status;
      if (s?.role === 'leader' && (!best || s.term > best.term)) best = { id, term: s.term };
    }
    return best;
  }

  request(id: string, req: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
    const p = this.procs.get(id);
    if (!p) return Promise.reject(new Error(`node ${id} is down`));
    const rid = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        p.replies.delete(rid);
        reject(new Error(`Timeout after ${timeoutMs} ms waiting for ${String(req.op)} [node=${id}]`));
      }, timeoutMs);
      p.replies.set(rid, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
      p.child.stdin!.write(`${JSON.stringify({ ...req, id: rid })}\n`);
    });
  }

  async stop(): Promise<void> {
    const exits = [...this.procs.values()].map(
      (p) =>
        new Promise<void>((resolve) => (p.child.exitCode !== null ? resolve() : p.child.once('exit', () => resolve()))),
    );
    for (const id of [...this.procs.keys()]) this.kill(id);
    await Promise.all(exits);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

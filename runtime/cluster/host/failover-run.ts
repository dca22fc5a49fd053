// Failover measurement on real processes: kill -9 the leader again and again (restarting it), time until another node
// reports itself leader at a higher term, while a writer keeps writing; at the end every acknowledged write must be
// readable (linearizable read through the leader), else it counts as lost.
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessCluster } from './process-cluster.js';

export interface FailoverOptions {
  readonly size: number;
  readonly profile: 'fast' | 'default';
  readonly kills: number;
  /** Bound on any single wait (a leader, a reply), ms. */
  readonly waitMs?: number | undefined;
}

export interface FailoverResult {
  readonly size: number;
  readonly profile: string;
  readonly electionMs: number[];
  readonly acknowledged: number;
  readonly lost: number;
}

async function until<T>(f: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`Timeout after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

export async function runFailover(opts: FailoverOptions): Promise<FailoverResult> {
  const waitMs = opts.waitMs ?? 30_000;
  const c = new ProcessCluster(opts.size, opts.profile);
  const acked: string[] = [];
  const electionMs: number[] = [];
  let writing = true;
  let writer: Promise<void> = Promise.resolve();
  try {
    await c.start();
    await until(() => c.leader(), waitMs, 'a first leader');
    writer = (async () => {
      for (let i = 0; writing; i++) {
        const l = c.leader();
        if (!l) {
          await sleep(5);
          continue;
        }
        const r = await c.request(l.id, { op: 'put', k: `w${i}`, v: String(i) }, 5000).catch(() => undefined);
        if (r?.ok === true) acked.push(`w${i}`);
        else await sleep(5);
      }
    })();
    for (let k = 0; k < opts.kills; k++) {
      await sleep(100 + Math.floor(Math.random() * 200)); // let some writes through
      const old = await until(() => c.leader(), waitMs, 'a leader before the kill');
      const t0 = performance.now();
      let newLeaderAt: number | undefined;
      c.onStatus = (id, s) => {
        if (newLeaderAt === undefined && id !== old.id && s.role === 'leader' && s.term > old.term) newLeaderAt = s.at;
      };
      c.kill(old.id);
      await until(() => newLeaderAt, waitMs, `a new leader after killing ${old.id}`);
      electionMs.push(newLeaderAt! - t0);
      c.onStatus = undefined;
      await c.spawn(old.id);
    }
    writing = false;
    await writer;
    const data = await finalRead(c, waitMs);
    const lost = acked.filter((k) => data[k] === undefined).length;
    return { size: opts.size, profile: opts.profile, electionMs, acknowledged: acked.length, lost };
  } finally {
    writing = false;
    await writer.catch(() => undefined);
    await c.stop();
  }
}

/**
 * Every key through a linearizable read on the leader of the moment. A read that fails (the leader was deposed under
 * it) is tried again: a failed read must not count the writes as lost.
 */
async function finalRead(c: ProcessCluster, waitMs: number): Promise<Record<string, string>> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const l = await until(() => c.leader(), waitMs, 'a leader for the final read');
    const dump = await c
      .request(l.id, { op: 'dump' }, waitMs)
      .catch((e: Error): Record<string, unknown> => ({ ok: false, error: e.message }));
    if (dump.ok === true) return (dump.data ?? {}) as Record<string, string>;
    if (performance.now() > deadline) throw new Error(`the final read failed on ${l.id}: ${String(dump.error)}`);
    await sleep(50);
  }
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

// FileStorage on a real disk (a temp dir): round trip, conflicting suffix, torn and zero-filled tails, corruption in
// the middle, compaction, installed snapshots, bounded records, and a Raft node restarted from its files.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DEFAULT_RAFT_CONFIG, RaftNode } from '../../runtime/cluster/raft/node.js';
import { SeededRng } from '../../runtime/cluster/raft/prng.js';
import type { Entry, Snapshot } from '../../runtime/cluster/raft/types.js';
import { FileStorage } from '../../runtime/cluster/storage/file-storage.js';
import { CorruptLogError } from '../../runtime/cluster/storage/record-codec.js';

const e = (index: number, term: number, data = `d${index}`): Entry => ({ index, term, type: 'normal', data });
const hs = (term: number, commit: number) => ({ term, vote: 'a', commit });

async function withDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function reopen(dir: string) {
  const s = new FileStorage({ dir });
  const state = await s.open();
  return { s, state };
}

t.test('round trip and conflicting suffix', async (t) => {
  const dir = await withDir(t);
  const s = new FileStorage({ dir });
  await s.open();
  await s.append(hs(1, 0), [e(1, 1), e(2, 1), e(3, 1), e(4, 1), e(5, 1)]);
  await s.append(hs(2, 2), [e(3, 2, 'new3'), e(4, 2, 'new4')]);
  await s.close();
  const { s: s2, state } = await reopen(dir);
  t.same(state.hardState, hs(2, 2));
  t.same(
    state.entries.map((x) => [x.index, x.term, x.data]),
    [
      [1, 1, 'd1'],
      [2, 1, 'd2'],
      [3, 2, 'new3'],
      [4, 2, 'new4'],
    ],
  );
  t.equal(state.droppedBytes, 0);
  await s2.close();
});

t.test('a torn last record is dropped at every cut point, and the log stays appendable', async (t) => {
  const dir = await withDir(t);
  const s = new FileStorage({ dir });
  await s.open();
  await s.append(hs(1, 1), [e(1, 1), e(2, 1)]);
  await s.close();
  const good = (await stat(join(dir, 'raft.log'))).size;
  const s1 = new FileStorage({ dir });
  await s1.open();
  await s1.append(undefined, [e(3, 1, 'x'.repeat(100))]);
  await s1.close();
  const full = await readFile(join(dir, 'raft.log'));
  for (const cut of [1, 5, 9, 20, full.length - good - 1]) {
    await writeFile(join(dir, 'raft.log'), full.subarray(0, full.length - cut));
    const { s: r, state } = await reopen(dir);
    t.equal(state.entries.length, 2, `cut ${cut} bytes: the torn entry is gone`);
    t.ok(state.droppedBytes > 0);
    await r.append(undefined, [e(3, 1, 'again')]);
    await r.close();
    const { s: r2, state: st2 } = await reopen(dir);
    t.equal(st2.droppedBytes, 0, 'the torn bytes were truncated away');
    t.equal(st2.entries.at(-1)?.data, 'again');
    await r2.close();
  }
});

t.test('a zero-filled tail is a torn write; corruption in the middle is an error', async (t) => {
  const dir = await withDir(t);
  const s = new FileStorage({ dir });
  await s.open();
  await s.append(hs(1, 0), [e(1, 1), e(2, 1), e(3, 1)]);
  await s.close();
  await appendFile(join(dir, 'raft.log'), Buffer.alloc(64));
  const { s: r, state } = await reopen(dir);
  t.equal(state.entries.length, 3);
  t.equal(state.droppedBytes, 64);
  await r.close();
  const bytes = await readFile(join(dir, 'raft.log'));
  bytes[12] = bytes[12]! ^ 0xff; // inside the first record's payload
  await writeFile(join(dir, 'raft.log'), bytes);
  await t.rejects(new FileStorage({ dir }).open(), CorruptLogError);
});

t.test('compaction keeps the suffix; an installed snapshot replaces the log', async (t) => {
  const dir = await withDir(t);
  const s = new FileStorage({ dir });
  await s.open();
  await s.append(hs(1, 4), [e(1, 1), e(2, 1), e(3, 1), e(4, 1)]);
  const snap: Snapshot = { meta: { index: 3, term: 1, conf: { voters: ['a', 'b'] } }, data: '{"k":"v"}' };
  await s.compact(snap);
  await s.append(undefined, [e(5, 1)]);
  await s.close();
  let { s: r, state } = await reopen(dir);
  t.same(state.snapshot, snap);
  t.same(
    state.entries.map((x) => x.index),
    [4, 5],
  );
  const installed: Snapshot = { meta: { index: 9, term: 3, conf: { voters: ['a', 'b', 'c'] } }, data: 'img' };
  await r.saveReady({ snapshot: installed, hardState: hs(3, 9), entries: [e(10, 3)] });
  await r.close();
  ({ s: r, state } = await reopen(dir));
  t.same(state.snapshot, installed);
  t.same(
    state.entries.map((x) => x.index),
    [10],
  );
  t.equal(state.hardState.commit, 9);
  await r.close();
});

t.test(
  'an installed snapshot whose Ready also carries entries: a crash before they land leaves a consistent log',
  async (t) => {
    // Regression (simulation seed 11660): the rewritten log once stored the Ready's commit index, which covered entries
    // not yet written; a crash then left commit > last index and the node could not restart.
    const dir = await withDir(t);
    const s = new FileStorage({ dir });
    await s.open();
    await s.append(hs(1, 2), [e(1, 1), e(2, 1)]);
    const snap: Snapshot = { meta: { index: 50, term: 1, conf: { voters: ['a'] } }, data: 'img' };
    const full = [e(51, 1), e(52, 1), e(53, 1)];
    await s.saveReady({ snapshot: snap, hardState: hs(1, 53), entries: full });
    await s.close();
    const bytes = await readFile(join(dir, 'raft.log'));
    const perEntry = 9 + Buffer.byteLength(JSON.stringify([1, 51, 0, 'd51']));
    // Cut into the entries written after the rewrite: as if the process died before their fsync.
    await writeFile(join(dir, 'raft.log'), bytes.subarray(0, bytes.length - 30 - 2 * perEntry));
    const { s: r, state } = await reopen(dir);
    const last = state.entries.at(-1)?.index ?? state.snapshot!.meta.index;
    t.ok(state.hardState.commit <= last, `commit ${state.hardState.commit} <= last index ${last}`);
    t.ok(state.hardState.commit >= 50);
    await r.close();
    const n = new RaftNode(
      { ...DEFAULT_RAFT_CONFIG, id: 'a', rng: new SeededRng(1) },
      { ...state, bootstrapVoters: ['a'] },
    );
    t.ok(n.status().commit >= 50, 'and a node starts from it');
  },
);

t.test('records are bounded; the error names the limit', async (t) => {
  const dir = await withDir(t);
  const s = new FileStorage({ dir, recordBytesMax: 64 });
  await s.open();
  await t.rejects(s.append(undefined, [e(1, 1, 'y'.repeat(100))]), /recordBytesMax/);
  await s.close();
  t.throws(() => new FileStorage({ dir: '' }), /dir/);
});

t.test('a single-node Raft restarts from its files with its log and term', async (t) => {
  const dir = await withDir(t);
  const cfg = { ...DEFAULT_RAFT_CONFIG, id: 'a', rng: new SeededRng(3) };
  const boot = async () => {
    const s = new FileStorage({ dir });
    const st = await s.open();
    return { s, n: new RaftNode(cfg, { ...st, bootstrapVoters: ['a'] }) };
  };
  const drain = async (s: FileStorage, n: RaftNode) => {
    while (n.hasReady()) {
      const rd = n.ready();
      await s.saveReady(rd);
      n.advance(rd);
    }
  };
  let { s, n } = await boot();
  n.campaign();
  await drain(s, n);
  for (let i = 0; i < 5; i++) n.propose(`{"i":${i}}`);
  await drain(s, n);
  const before = n.status();
  await s.close();
  ({ s, n } = await boot());
  const after = n.status();
  t.equal(after.term, before.term);
  t.equal(after.lastIndex, before.lastIndex);
  t.equal(after.commit, before.commit);
  t.equal(after.vote, 'a');
  await s.close();
});

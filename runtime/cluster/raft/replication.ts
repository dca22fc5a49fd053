// Log replication (§5.3): the leader's AppendEntries, heartbeats and snapshots, the follower's handling of them, and
// the leader's handling of responses with fast backtracking (the follower hints the largest index whose term is not
// above the leader's, so a whole conflicting term is skipped per round trip).
import type { Raft } from './raft.js';
import { type Entry, type EntryType, invariant, type Message, type NodeId } from './types.js';

/** Sends one append (or a snapshot when the needed entries are compacted). Returns whether something was sent. */
export function sendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.tracker.progress.get(to);
  if (!pr || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  if (prevTerm === undefined) return sendSnapshot(r, to);
  const ents = r.log.slice(pr.next, pr.next + r.cfg.entriesPerMessageMax - 1);
  if (ents.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: r.log.committed });
  const last = ents.at(-1);
  if (pr.state === 'replicate' && last) {
    pr.next = last.index + 1;
    pr.inflights.add(last.index);
  } else if (pr.state === 'probe') {
    pr.probeSent = true;
  }
  return true;
}

function sendSnapshot(r: Raft, to: NodeId): boolean {
  const snap = r.snapshot;
  invariant(snap && snap.meta.index === r.log.snapshotMeta.index, 'compacted log without a snapshot to send');
  r.send({ type: 'snap', to, snapshot: snap });
  r.tracker.progress.get(to)?.becomeSnapshot(snap.meta.index);
  return true;
}

export function bcastAppend(r: Raft): void {
  if (r.role !== 'leader') return;
  for (const id of r.tracker.progress.keys()) if (id !== r.id) sendAppend(r, id, true);
}

export function bcastHeartbeat(r: Raft, context: string | undefined): void {
  for (const [id, pr] of r.tracker.progress) {
    if (id === r.id) continue;
    // A follower may not yet hold entries up to our commit; tell it only what it is known to have.
    const commit = Math.min(pr.match, r.log.committed);
    r.send({ type: 'heartbeat', to: id, commit, context });
  }
}

/** Leader: appends new entries of the current term to its own log. */
export function appendEntries(r: Raft, ents: readonly { type: EntryType; data: string }[]): number {
  let index = r.log.lastIndex();
  const full: Entry[] = ents.map((e) => ({ term: r.term, index: ++index, type: e.type, data: e.data }));
  r.log.append(full);
  r.syncConfig();
  r.tracker.progress.get(r.id)?.maybeUpdate(r.log.lastIndex());
  maybeCommit(r);
  return index;
}

/** Leader: advances commit to the quorum-replicated index, counting only current-term entries (§5.4.2). */
export function maybeCommit(r: Raft): boolean {
  const advanced = r.log.maybeCommit(r.tracker.committedIndex(), r.term);
  if (advanced && !r.tracker.voters.has(r.id)) {
    // §4.2.2: a leader removed from the configuration steps down once that configuration is committed.
    const conf = r.log.lastConfEntry();
    if (!conf || conf.index <= r.log.committed) r.becomeFollower(r.term, '');
  }
  return advanced;
}

export function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    r.send({ type: 'appResp', to: m.from, index: r.log.committed });
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.syncConfig();
    r.send({ type: 'appResp', to: m.from, index: lastNew });
    return;
  }
  const hintIndex = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  const hintTerm = r.log.term(hintIndex) ?? 0;
  r.send({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm });
}

export function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  r.send({ type: 'heartbeatResp', to: m.from, context: m.context });
}

export function handleSnapshot(r: Raft, m: Message): void {
  const snap = m.snapshot;
  if (!snap) return;
  if (snap.meta.index <= r.log.committed) {
    r.send({ type: 'appResp', to: m.from, index: r.log.committed });
    return;
  }
  if (r.log.matchTerm(snap.meta.index, snap.meta.term)) {
    // We already hold the snapshot's last entry: only the commit index moves.
    r.log.commitTo(snap.meta.index);
    r.send({ type: 'appResp', to: m.from, index: r.log.committed });
    return;
  }
  r.log.restore(snap);
  r.snapshot = snap;
  r.syncConfig();
  r.send({ type: 'appResp', to: m.from, index: r.log.lastIndex() });
}

export function handleAppendResp(r: Raft, m: Message): void {
  const pr = r.tracker.progress.get(m.from);
  if (!pr) return;
  pr.recentActive = true;
  if (m.reject) {
    const hint = m.logTerm > 0 ? r.log.findConflictByTerm(m.rejectHint, m.logTerm) : m.rejectHint;
    if (pr.maybeDecrTo(m.index, hint)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return;
  if (pr.state === 'probe') pr.becomeReplicate();
  else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
  if (maybeCommit(r)) {
    if (r.role !== 'leader') return;
    bcastAppend(r);
  } else if (wasPaused) sendAppend(r, m.from, true);
  while (sendAppend(r, m.from, false)) {
    // keep the pipeline full up to the inflight limit
  }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
    r.send({ type: 'timeoutNow', to: m.from });
  }
}

export function handleHeartbeatResp(r: Raft, m: Message): void {
  const pr = r.tracker.progress.get(m.from);
  if (!pr) return;
  pr.recentActive = true;
  pr.probeSent = false;
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  // A snapshot message may have been lost; fall back to probing, which re-sends it if still needed.
  if (pr.state === 'snapshot') pr.becomeProbe();
  if (pr.match < r.log.lastIndex()) sendAppend(r, m.from, true);
}

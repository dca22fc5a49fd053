// Leader election (§5.2) with pre-vote (dissertation §9.6): a node first asks whether it could win at term+1 without
// bumping its term, so a node that was cut off cannot disrupt a healthy leader when it comes back. Votes are recorded
// in a map keyed by voter, so a duplicated response is counted once.
import type { Raft } from './raft.js';
import type { Message } from './types.js';

export type CampaignKind = 'pre' | 'election' | 'transfer';

export function campaign(r: Raft, kind: CampaignKind): void {
  let voteType: 'preVote' | 'vote';
  let term: number;
  if (kind === 'pre') {
    r.becomePreCandidate();
    voteType = 'preVote';
    term = r.term + 1;
  } else {
    r.becomeCandidate();
    voteType = 'vote';
    term = r.term;
  }
  r.tracker.recordVote(r.id, true);
  if (r.tracker.tallyVotes() === 'won') {
    // A single-voter cluster wins at once.
    if (kind === 'pre') campaign(r, 'election');
    else r.becomeLeader();
    return;
  }
  const context = kind === 'transfer' ? 'transfer' : undefined;
  for (const id of r.tracker.voters) {
    if (id === r.id) continue;
    r.send({ type: voteType, to: id, term, index: r.log.lastIndex(), logTerm: r.log.lastTerm(), context });
  }
}

/** Answers a vote or pre-vote request whose term is already reconciled with ours (see Raft.step). */
export function handleVoteRequest(r: Raft, m: Message): void {
  const pre = m.type === 'preVote';
  const respType = pre ? 'preVoteResp' : 'voteResp';
  const canVote = r.vote === m.from || (r.vote === '' && r.lead === '') || (pre && m.term > r.term);
  if (canVote && r.log.isUpToDate(m.index, m.logTerm)) {
    // A granted pre-vote answers at the term the candidate would campaign at; a rejection carries ours.
    r.send({ type: respType, to: m.from, term: m.term });
    if (!pre) {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.send({ type: respType, to: m.from, term: r.term, reject: true });
  }
}

/** A (pre-)candidate counts an answer; quorum wins, a quorum of rejections returns it to follower. */
export function handleVoteResponse(r: Raft, m: Message): void {
  const expected = r.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
  if (m.type !== expected) return;
  r.tracker.recordVote(m.from, !m.reject);
  const result = r.tracker.tallyVotes();
  if (result === 'won') {
    if (r.role === 'preCandidate') campaign(r, 'election');
    else r.becomeLeader();
  } else if (result === 'lost') {
    r.becomeFollower(r.term, '');
  }
}

// Safety properties checked during every simulated run (Raft paper, figure 3): election safety (at most one leader
// per term), log matching, leader completeness, and state machine safety (every node applies the same entry at each
// index, in order, without gaps).
import type { LogView } from '../raft/node.js';
import type { Entry, NodeId } from '../raft/types.js';

export class SafetyChecker {
  readonly violations: string[] = [];
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Every entry applied somewhere, by index (state machine safety). */
  private readonly committed = new Map<number, { term: number; data: string }>();
  /** Entries a leader reported committed, with the earliest leader term that did so (leader completeness). */
  private readonly commitTerms = new Map<number, { term: number; commitTerm: number }>();
  private commitTermsMax = 0;
  private readonly lastApplied = new Map<NodeId, number>();
  private readonly leaderSeen = new Set<string>();

  fail(what: string): void {
    if (this.violations.length < 20) this.violations.push(what);
  }

  /**
   * Election safety; on first sight of a leader for a term, leader completeness (every entry committed in an
   * earlier term is in its log); and the leader's commit index feeds the record of committed entries.
   */
  observeRole(id: NodeId, role: string, term: number, commit: number, log: () => LogView): void {
    if (role !== 'leader') return;
    if (commit > this.commitTermsMax) this.recordCommits(term, commit, log());
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== id) this.fail(`election safety: ${other} and ${id} both lead term ${term}`);
    this.leaderOfTerm.set(term, id);
    const key = `${term}/${id}`;
    if (this.leaderSeen.has(key)) return;
    this.leaderSeen.add(key);
    const view = log();
    for (const [index, c] of this.commitTerms) {
      if (c.commitTerm >= term || index < view.firstIndex()) continue;
      const t = view.term(index);
      if (t !== c.term) {
        this.fail(
          `leader completeness: leader ${id} of term ${term} has term ${t} at index ${index}, committed in term ${c.commitTerm} with term ${c.term}`,
        );
      }
    }
  }

  private recordCommits(leaderTerm: number, commit: number, view: LogView): void {
    for (let i = Math.max(this.commitTermsMax + 1, view.firstIndex()); i <= commit; i++) {
      const t = view.term(i);
      if (t !== undefined && !this.commitTerms.has(i)) this.commitTerms.set(i, { term: t, commitTerm: leaderTerm });
    }
    this.commitTermsMax = commit;
  }

  /** A node's state machine was reset to a snapshot (restart or install). */
  resetApplied(id: NodeId, index: number): void {
    this.lastApplied.set(id, index);
  }

  observeApply(id: NodeId, e: Entry): void {
    const last = this.lastApplied.get(id) ?? 0;
    if (e.index !== last + 1) this.fail(`apply order: ${id} applied ${e.index} after ${last}`);
    this.lastApplied.set(id, e.index);
    const c = this.committed.get(e.index);
    if (!c) this.committed.set(e.index, { term: e.term, data: e.data });
    else if (c.term !== e.term || c.data !== e.data) {
      this.fail(`state machine safety: ${id} applied term ${e.term} at ${e.index}, others applied term ${c.term}`);
    }
  }

  /** Log matching: if two logs agree on the term at some index, they agree on every entry up to it. */
  checkLogMatching(views: ReadonlyMap<NodeId, LogView>): void {
    const list = [...views];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, va] = list[i]!;
        const [b, vb] = list[j]!;
        const lo = Math.max(va.firstIndex(), vb.firstIndex());
        let k = Math.min(va.lastIndex(), vb.lastIndex());
        while (k >= lo && va.term(k) !== vb.term(k)) k--;
        for (; k >= lo; k--) {
          const ea = va.entry(k);
          const eb = vb.entry(k);
          if (!ea || !eb || ea.term !== eb.term || ea.data !== eb.data) {
            this.fail(`log matching: ${a} and ${b} differ at index ${k} below a matching entry`);
            break;
          }
        }
      }
    }
  }

  committedCount(): number {
    return this.committed.size;
  }
}

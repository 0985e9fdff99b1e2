/// Leader election (Raft §5.2, §5.4.1) with pre-vote (§9.6) and forced campaigns for leadership
/// transfer (§3.10).
extension Raft {
  /// Starts a (pre-)election if this node may.
  mutating func hup(transfer: Bool) {
    guard role != .leader, isPromotable else { return }
    // A committed but unapplied membership change may change who votes; campaigning with the
    // stale membership could count the wrong majority (as etcd: wait until it is applied).
    if hasUnappliedConfChange() { return }
    if config.preVote && !transfer {
      campaign(preVote: true, transfer: false)
    } else {
      campaign(preVote: false, transfer: transfer)
    }
  }

  private func hasUnappliedConfChange() -> Bool {
    guard log.committed > log.applied else { return false }
    let entries = (try? log.slice(log.applied.next, log.committed.next, maxBytes: Int.max)) ?? []
    return entries.contains { $0.kind == .confChange }
  }

  mutating func campaign(preVote: Bool, transfer: Bool) {
    let voteTerm: Term
    let kind: MessageKind
    if preVote {
      becomePreCandidate()
      voteTerm = term.next
      kind = .preVote
    } else {
      becomeCandidate()
      voteTerm = term
      kind = .vote
    }
    tracker.recordVote(id, granted: true)
    if tracker.voteResult() == .won {
      // A single voter wins at once.
      if preVote { campaign(preVote: false, transfer: transfer) } else { becomeLeader() }
      return
    }
    let lastIndex = log.lastIndex()
    let lastTerm = log.lastTerm
    for voter in tracker.voters where voter != id {
      send(Message(
        kind: kind, from: id, to: voter, term: voteTerm, logTerm: lastTerm, index: lastIndex,
        context: transfer ? Message.campaignTransfer : []))
    }
  }

  /// Raft figure 2, RequestVote receiver: grant if we have not voted for another in this term
  /// and the candidate's log is at least as up to date as ours (§5.4.1).
  mutating func handleVoteRequest(_ m: Message) {
    let canVote =
      vote == m.from
      || (vote == .none && lead == .none)
      || (m.kind == .preVote && m.term > term)
    let upToDate = bugs.contains(.voteWithoutLogCheck) || log.isUpToDate(lastIndex: m.index, term: m.logTerm)
    let responseKind: MessageKind = m.kind == .vote ? .voteResponse : .preVoteResponse
    if canVote && upToDate {
      // A pre-vote answer carries the term it was asked for, so the pre-candidate can count it.
      send(Message(kind: responseKind, from: id, to: m.from, term: m.term))
      if m.kind == .vote {
        electionElapsed = 0
        vote = m.from
      }
    } else {
      send(Message(kind: responseKind, from: id, to: m.from, term: term, reject: true))
    }
  }

  mutating func handleVoteResponse(_ m: Message) {
    tracker.recordVote(m.from, granted: !m.reject)
    switch tracker.voteResult() {
    case .won:
      if role == .preCandidate {
        campaign(preVote: false, transfer: false)
      } else {
        becomeLeader()
        broadcastAppend()
      }
    case .lost:
      becomeFollower(term, lead: .none)
    case .pending:
      break
    }
  }
}

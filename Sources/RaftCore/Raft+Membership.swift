/// Membership changes (Raft dissertation §4.1, single-server, applied when the application
/// applies the entry as in etcd) and leadership transfer (§3.10).
extension Raft {
  /// Leader: appends a membership change if the previous one has been applied.
  mutating func proposeConfChange(_ change: ConfChange) -> Result<LogIndex, RaftError> {
    guard role == .leader else { return .failure(.notLeader(leader: lead)) }
    guard leadTransferee == .none else { return .failure(.proposalDropped) }
    guard pendingConfIndex <= log.applied else { return .failure(.confChangePending) }
    if case .failure(let error) = tracker.confState.applying(change) { return .failure(error) }
    if change.kind == .addVoter, tracker.learners.contains(change.nodeID),
      (tracker[change.nodeID]?.match ?? .zero) < log.committed
    {
      // Promoting a lagging learner would add a voter that cannot yet help commit (§4.2.1).
      return .failure(.learnerNotCaughtUp)
    }
    guard appendEntries([Entry(term: term, index: .zero, kind: .confChange, data: change.encoded())], counting: true)
    else { return .failure(.proposalDropped) }
    pendingConfIndex = log.lastIndex()
    broadcastAppend()
    return .success(pendingConfIndex)
  }

  /// Applies a committed membership change (called when the application has applied it).
  mutating func applyConfChange(_ change: ConfChange) {
    guard case .success(let conf) = tracker.confState.applying(change) else { return }
    let wasMember = tracker.confState.contains(change.nodeID)
    tracker.setConfState(conf, next: log.lastIndex().next)
    guard role == .leader else { return }
    if !wasMember && change.nodeID != id {
      // Start catching the newcomer up now rather than at the next heartbeat.
      sendAppend(to: change.nodeID, sendIfEmpty: true)
    }
    if !tracker.isVoter(id) {
      // A leader removed (or never a voter) steps down; the rest elect a successor.
      becomeFollower(term, lead: .none)
      return
    }
    if leadTransferee != .none && !tracker.isVoter(leadTransferee) { leadTransferee = .none }
    if maybeCommit() { broadcastAppend() }
  }

  /// Leader: hands leadership to `to` once its log has caught up (§3.10).
  mutating func transferLeadership(to: NodeID) -> Result<Void, RaftError> {
    guard role == .leader else { return .failure(.notLeader(leader: lead)) }
    guard to != id else { return .success(()) }
    guard tracker.isVoter(to) else { return .failure(.invalidConfChange("\(to) is not a voter")) }
    if leadTransferee == to { return .success(()) }
    leadTransferee = to
    // The transfer is abandoned if it has not happened within an election timeout.
    electionElapsed = 0
    if tracker[to]!.match == log.lastIndex() {
      send(Message(kind: .timeoutNow, from: id, to: to))
    } else {
      sendAppend(to: to, sendIfEmpty: true)
    }
    return .success(())
  }
}

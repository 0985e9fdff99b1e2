/// Log replication (Raft §5.3) with flow control: probe and replicate states, a bounded in-flight
/// window, fast backtracking, size-bounded appends and a bound on uncommitted bytes.
extension Raft {
  /// Leader: appends `entries` (indexes and terms assigned here). `counting` charges their bytes
  /// to the uncommitted bound; false when the bound is full.
  mutating func appendEntries(_ entries: [Entry], counting: Bool) -> Bool {
    precondition(role == .leader, "only the leader appends proposals")
    let bytes = entries.reduce(0) { $0 + $1.data.count }
    if counting && config.maxUncommittedEntriesBytes > 0 && uncommittedBytes > 0
      && uncommittedBytes + bytes > config.maxUncommittedEntriesBytes
    {
      return false
    }
    if counting { uncommittedBytes += bytes }
    var last = log.lastIndex()
    var stamped = entries
    for i in stamped.indices {
      last = last.next
      stamped[i].term = term
      stamped[i].index = last
    }
    log.append(stamped)
    tracker[id]!.next = last.next
    // The leader's own match moves only when the entries are durable (`stableTo`).
    return true
  }

  /// Leader: the entries through the stable last index are durable here.
  mutating func leaderPersisted() {
    guard role == .leader else { return }
    if tracker[id]!.maybeUpdate(log.stableLastIndex) && maybeCommit() { broadcastAppend() }
  }

  /// Raft §5.3 and §5.4.2: commit the largest index on a majority, but only by counting an entry
  /// of the current term (earlier entries then commit with it).
  mutating func maybeCommit() -> Bool {
    let index = tracker.committedIndex()
    guard index > log.committed else { return false }
    if !bugs.contains(.commitPreviousTermEntries) && log.term(at: index) != term { return false }
    let wasTermCommitted = committedInCurrentTerm
    let old = log.committed
    log.commitTo(index)
    releaseUncommitted(from: old, to: index)
    if !wasTermCommitted && committedInCurrentTerm { releasePendingReadIndex() }
    return true
  }

  private mutating func releaseUncommitted(from old: LogIndex, to new: LogIndex) {
    guard uncommittedBytes > 0, let entries = try? log.slice(old.next, new.next, maxBytes: Int.max) else { return }
    uncommittedBytes = max(0, uncommittedBytes - entries.reduce(0) { $0 + $1.data.count })
  }

  /// Whether the leader has committed an entry of its own term (§6.4: until then its commit
  /// index may be behind the cluster's, so it serves no reads).
  var committedInCurrentTerm: Bool { log.term(at: log.committed) == term }

  mutating func broadcastAppend() {
    for peer in tracker.members where peer != id { _ = sendAppend(to: peer, sendIfEmpty: true) }
  }

  /// Sends the next append (or snapshot) to `to` if flow control allows. Returns whether
  /// something was sent.
  @discardableResult
  mutating func sendAppend(to: NodeID, sendIfEmpty: Bool) -> Bool {
    guard var pr = tracker[to], !pr.isPaused else { return false }
    let prevIndex = pr.next.previous
    guard let prevTerm = log.term(at: prevIndex),
      let entries = try? log.slice(pr.next, log.lastIndex().next, maxBytes: config.maxMessageBytes)
    else {
      return startSnapshot(to: to)
    }
    if entries.isEmpty && !sendIfEmpty { return false }
    send(Message(
      kind: .append, from: id, to: to, logTerm: prevTerm, index: prevIndex, entries: entries,
      commit: log.committed))
    switch pr.state {
    case .replicate:
      if let last = entries.last {
        pr.next = last.index.next
        pr.inflights.add(last.index)
      }
    case .probe:
      pr.probeSent = true
    case .snapshot:
      preconditionFailure("sent an append to \(to) in snapshot state")
    }
    tracker[to] = pr
    return true
  }

  mutating func broadcastHeartbeat(context: [UInt8]) {
    for peer in tracker.members where peer != id {
      // The commit is capped at the follower's match: it may not yet hold later entries.
      let commit = min(tracker[peer]!.match, log.committed)
      send(Message(kind: .heartbeat, from: id, to: peer, commit: commit, context: context))
    }
  }

  mutating func stepLeader(_ m: Message) {
    guard var pr = tracker[m.from] else { return }
    switch m.kind {
    case .appendResponse:
      pr.recentActive = true
      if m.reject {
        // The follower's hint names its last entry with a term at most `logTerm`; skip every
        // entry of ours above it whose term is larger, since none of them can match.
        let hint = m.logTerm > .zero ? log.findConflictByTerm(m.rejectHint, m.logTerm).0 : m.rejectHint
        if pr.maybeDecrease(rejected: m.index, hint: hint) {
          if pr.state == .replicate { pr.becomeProbe() }
          tracker[m.from] = pr
          sendAppend(to: m.from, sendIfEmpty: true)
        } else {
          tracker[m.from] = pr
        }
        return
      }
      let wasPaused = pr.isPaused
      guard pr.maybeUpdate(m.index) else {
        tracker[m.from] = pr
        return
      }
      switch pr.state {
      case .probe: pr.becomeReplicate()
      case .snapshot where pr.match >= pr.pendingSnapshot || pr.match.next >= log.firstIndex():
        pr.becomeProbe()
        pr.becomeReplicate()
      case .snapshot: break
      case .replicate: pr.inflights.freeLE(m.index)
      }
      tracker[m.from] = pr
      if maybeCommit() {
        broadcastAppend()
      } else if wasPaused {
        sendAppend(to: m.from, sendIfEmpty: true)
      }
      // Keep streaming while there is more and the window allows.
      while sendAppend(to: m.from, sendIfEmpty: false) {}
      if m.from == leadTransferee && tracker[m.from]!.match == log.lastIndex() {
        send(Message(kind: .timeoutNow, from: id, to: m.from))
      }
    case .heartbeatResponse:
      pr.recentActive = true
      pr.probeSent = false
      if pr.state == .replicate && pr.inflights.isFull { pr.inflights.freeFirstOne() }
      tracker[m.from] = pr
      if pr.state == .snapshot {
        sendSnapshotChunk(to: m.from)  // Retransmits a lost chunk.
      } else if pr.match < log.lastIndex() {
        sendAppend(to: m.from, sendIfEmpty: true)
      }
      if !m.context.isEmpty { readIndexAcknowledged(m.context, from: m.from) }
    case .snapshotResponse:
      pr.recentActive = true
      tracker[m.from] = pr
      snapshotChunkAcknowledged(m)
    case .readIndex:
      handleReadIndex(context: m.context, from: m.from)
    default:
      break
    }
  }

  /// Raft figure 2, AppendEntries receiver.
  mutating func handleAppend(_ m: Message) {
    if m.index < log.committed {
      // Already have (and committed) through here; tell the leader where we are.
      send(Message(kind: .appendResponse, from: id, to: m.from, index: log.committed))
      return
    }
    if let lastNew = log.maybeAppend(
      index: m.index, logTerm: m.logTerm, committed: m.commit, entries: m.entries,
      commitUncommitted: bugs.contains(.followerCommitsUncommitted), toleratesViolations: !bugs.isEmpty)
    {
      send(Message(kind: .appendResponse, from: id, to: m.from, index: lastNew))
      return
    }
    // Fast backtracking: point the leader at the last entry that could match.
    let (hintIndex, hintTerm) = log.findConflictByTerm(min(m.index, log.lastIndex()), m.logTerm)
    send(Message(
      kind: .appendResponse, from: id, to: m.from, logTerm: hintTerm, index: m.index, reject: true,
      rejectHint: hintIndex))
  }

  mutating func handleHeartbeat(_ m: Message) {
    if m.commit <= log.lastIndex() { log.commitTo(m.commit) }
    send(Message(kind: .heartbeatResponse, from: id, to: m.from, context: m.context))
  }

  /// Leader: appends a proposal.
  mutating func forgetProgress(of peer: NodeID) {
    guard role == .leader, peer != id, var progress = tracker[peer] else { return }
    progress.match = .zero
    progress.becomeProbe()
    progress.next = log.lastIndex().next
    tracker[peer] = progress
    _ = sendAppend(to: peer, sendIfEmpty: true)
  }

  mutating func propose(_ entry: Entry) -> Result<LogIndex, RaftError> {
    guard role == .leader else { return .failure(.notLeader(leader: lead)) }
    guard leadTransferee == .none else { return .failure(.proposalDropped) }
    guard tracker[id] != nil else { return .failure(.proposalDropped) }
    guard appendEntries([entry], counting: true) else { return .failure(.proposalDropped) }
    broadcastAppend()
    return .success(log.lastIndex())
  }
}

import DataTree
import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// Any packet from a session's connection keeps it alive (leader: for one more timeout).
  mutating func touchSession(_ session: SessionID) {
    guard role == .leader, let info = tree.session(session) else { return }
    sessionDeadlines[session] = clockMs + Int64(info.timeoutMs)
  }

  /// Leader only: proposes closeSession for every session not heard from within its timeout.
  /// The ephemerals go with it, in the same entry.
  mutating func expireSessions() {
    var expired: [SessionID] = []
    // A connected client that stays silent expires like any other: ZooKeeper's clients ping
    // at a third of the timeout, so silence means the client is gone or stopped.
    for (session, deadline) in sessionDeadlines where deadline <= clockMs && !sessionsClosing.contains(session) {
      expired.append(session)
    }
    for session in expired.sorted() {
      sessionsClosing.insert(session)
      log(.info, "session \(session) expired")
      stats.sessionsExpired += 1
      proposalBuffer.append(Command(timeMs: clockMs, origin: .leader, operation: .closeSession(session)))
    }
  }

  /// A new leader gives every session a full timeout from now (DESIGN.md, "Sessions"): it cannot
  /// know when the old leader last heard from them.
  mutating func grantFreshSessionTimeouts() {
    sessionDeadlines.removeAll()
    for info in tree.sessions {
      sessionDeadlines[info.id] = clockMs + Int64(info.timeoutMs)
    }
  }

  /// Leader only, every `reapIntervalMs`: deletes empty containers that once had children and
  /// TTL nodes whose time has passed, by commands in the log like any other change.
  mutating func reapIfDue() {
    guard clockMs - lastReapMs >= config.reapIntervalMs else { return }
    lastReapMs = clockMs
    for path in tree.containersEligibleForDeletion() {
      proposalBuffer.append(Command(timeMs: clockMs, origin: .leader, operation: .deleteContainer(path: path)))
    }
    for path in tree.expiredTTLNodes(nowMs: clockMs) {
      proposalBuffer.append(Command(timeMs: clockMs, origin: .leader, operation: .deleteExpiredTTL(path: path)))
    }
  }
}

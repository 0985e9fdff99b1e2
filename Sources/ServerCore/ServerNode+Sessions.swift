import DataTree
import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// Any packet from a session's connection keeps it alive: the leader extends its deadline by
  /// a timeout; a follower tells the leader at its next tick.
  mutating func touchSession(_ session: SessionID) {
    guard role == .leader else {
      touchedSessions.insert(session)
      return
    }
    guard let info = tree.session(session) else { return }
    sessionDeadlines[session] = clockMs + Int64(info.timeoutMs)
  }

  /// A follower's notice to the leader of the sessions it heard from, once per tick.
  mutating func reportSessionActivity() {
    guard !touchedSessions.isEmpty, leader != .none, leader != config.nodeID else { return }
    actions.append(.sessionActivity(to: leader, sessions: touchedSessions.sorted()))
    touchedSessions.removeAll(keepingCapacity: true)
  }

  /// Routes a command: proposed on the leader, forwarded by a follower. False when no leader is
  /// known.
  mutating func submit(_ command: Command) -> Bool {
    if role == .leader {
      if proposalBuffer.count >= config.commandsPerEntryMax { flushProposals() }
      proposalBuffer.append(command)
      return true
    }
    // Without a leader the write waits here, a short election being the common case; if none
    // comes, the write timeout or the leaderless rule closes the connection.
    guard forwardBuffer.count < config.pendingRequestsMax * 8 else { return false }
    forwardBuffer.append(command)
    return true
  }

  /// Notes which local connection waits for each of `commands`, now handed to a leader.
  mutating func noteHandedOver(_ commands: [Command]) {
    for command in commands {
      guard let key = InFlightKey(command.origin), let client = connectionsByIdentity[key.connection] else { continue }
      handedOver[key] = client
    }
  }

  /// The leader changed (or this node stopped leading) with writes handed over and not applied:
  /// they may or may not commit. As ZooKeeper's servers do on a leader change, close the
  /// connections waiting for them, so those clients learn at once that the outcome is unknown.
  /// Never handing a write over twice is what keeps a write from applying twice.
  mutating func abandonHandedOver() {
    guard !handedOver.isEmpty else { return }
    let clients = Set(handedOver.values)
    handedOver.removeAll()
    for id in clients.sorted() { close(id, reason: "leader changed with a write in flight") }
  }

  /// Sends this turn's follower writes to the leader in one message.
  mutating func flushForwards() {
    guard !forwardBuffer.isEmpty, !forwardsHeld else { return }
    if role == .leader {
      proposalBuffer += forwardBuffer
      forwardBuffer.removeAll(keepingCapacity: true)
      return
    }
    guard leader != .none, leader != config.nodeID, leaderlessSinceMs == nil else { return }
    let commands = forwardBuffer
    forwardBuffer.removeAll(keepingCapacity: true)
    noteHandedOver(commands)
    var start = 0
    while start < commands.count {
      let end = min(commands.count, start + config.commandsPerEntryMax)
      actions.append(.forward(to: leader, payload: CommandBatch.encode(Array(commands[start..<end]))))
      start = end
    }
  }

  /// A write that has not applied within `writeTimeoutMs` (lost with a leader change, say)
  /// closes its connection: the client sees connection loss, as ZooKeeper's do, and no reply
  /// is ever sent for it.
  mutating func closeStalledWrites() {
    var stalled: [ClientID] = []
    for (id, client) in clients where client.phase != .closing {
      if case .creatingSession = client.phase, clockMs - client.connectedAtMs >= config.writeTimeoutMs {
        stalled.append(id)
        continue
      }
      guard client.queueHead < client.queue.count else { continue }
      let head = client.queue[client.queueHead]
      switch head.state {
      case .proposed, .awaitingReadIndex:
        if clockMs - head.receivedAtMs >= config.writeTimeoutMs { stalled.append(id) }
      default:
        break
      }
    }
    for id in stalled.sorted() { close(id, reason: "request not answered within \(config.writeTimeoutMs) ms") }
  }

  /// A node that has known no leader for an election timeout closes its client connections,
  /// so clients move to a node of the majority (DESIGN.md, "A request's path").
  mutating func closeClientsIfLeaderless() {
    guard let since = leaderlessSinceMs, clockMs - since >= config.electionTimeoutMs, !clients.isEmpty else { return }
    for id in clients.keys.sorted() { close(id, reason: "no leader for an election timeout") }
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

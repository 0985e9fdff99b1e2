import DataTree
import RaftCore
import ZooKeeperWire

/// One Grove server node as a deterministic value: Raft, the data tree, watches, sessions and
/// client connections. Events go in (bytes from a client, a tick, a peer message, durability);
/// `ServerAction`s come out (bytes to send, work to persist, messages to peers).
///
/// The shell calls the event methods on one thread, then `endOfTurn`, then takes the actions.
/// Nothing here reads a clock or a socket: time arrives as `nowMs`, the leader's wall clock,
/// and is stamped into the commands it proposes (DESIGN.md, "Time").
///
/// A standalone server is a cluster of one voter: the same path (propose, persist, commit,
/// apply) serves one node and many.
public struct ServerNode {
  public let config: ServerNodeConfig
  var raft: RawNode
  public internal(set) var tree: DataTree
  var watches = WatchRegistry()
  var clients: [ClientID: ClientConnection] = [:]
  /// Which local connection holds each session, for replies and closing.
  var sessionClients: [SessionID: ClientID] = [:]
  /// Connections waiting for their new session's createSession to apply.
  var sessionCreations: [SessionID: ClientID] = [:]
  /// Leader only: when each session expires unless it is heard from.
  var sessionDeadlines: [SessionID: Int64] = [:]
  /// Sessions whose closeSession is in the log; they accept nothing more.
  var sessionsClosing: Set<SessionID> = []
  /// Commands proposed this turn, to go into one entry at `endOfTurn`.
  var proposalBuffer: [Command] = []
  /// A follower's client writes this turn, forwarded to the leader at `endOfTurn`.
  var forwardBuffer: [Command] = []
  /// A follower's sessions heard from since the last notice to the leader.
  var touchedSessions: Set<SessionID> = []
  /// Started with an empty log in a cluster that already exists (its disk was lost): it knows no
  /// membership until a leader's snapshot arrives, and it does not vote in any term it may
  /// have voted in before (see `peerMessage`).
  let rejoiningWithoutDisk: Bool
  var firstLeaderTerm: Term?
  /// Since when this node has known no leader (nil while it knows one).
  var leaderlessSinceMs: Int64? = nil
  /// Writes of this node's clients handed to a leader (forwarded, or proposed here) and not yet
  /// applied, with the connection waiting for each. They are never handed over twice: when the
  /// leader changes their outcome is unknown, and their connections are closed (see
  /// `abandonHandedOver`).
  var handedOver: [InFlightKey: ClientID] = [:]
  /// A forward could not be queued; hold the buffer until the next tick.
  var forwardsHeld = false
  /// Local connections by their cluster-unique identity (`Origin.connection`).
  var connectionsByIdentity: [UInt64: ClientID] = [:]
  /// The last connection identity handed out.
  var lastIdentity: UInt64 = 0
  /// Leader: each entry it proposed — when (for the commit latency figure), in which term, and
  /// its commands, so applying it need not decode what this node just encoded.
  var proposed: [LogIndex: Proposal] = [:]
  /// A `Ready` handed out for persisting and not yet reported durable.
  var readyInFlight: Ready?
  /// Read-index requests by context, and the index each must wait for once known.
  var readIndexWaiters: [UInt64: ReadIndexWaiter] = [:]
  var nextReadIndexContext: UInt64 = 1
  /// The zxid of the last applied command (or no-op entry): replies carry it.
  public internal(set) var lastZxid: Zxid = .zero
  public internal(set) var appliedIndex: LogIndex
  var lastSnapshotIndex: LogIndex
  /// The largest `nowMs` seen: time handed to commands never goes back.
  var clockMs: Int64 = 0
  var lastReapMs: Int64 = 0
  var sessionSequence: Int64 = 0
  var role: RaftRole = .follower
  var leader: NodeID = .none
  public internal(set) var stats = ServerStats()
  var actions: [ServerAction] = []
  /// Figures only the shell knows (file descriptors, data size), shown by `mntr`.
  public var runtimeMetrics: [(String, String)] = []
  /// Connections whose reading resumed with frames still buffered; served at `endOfTurn`.
  var resumedClients: [ClientID] = []
  /// Save a snapshot of the tree after this many transactions (commands, as ZooKeeper's
  /// snapCount; one log entry carries a batch of them) or this many bytes of entries, whichever
  /// comes first, so the log to replay stays bounded either way.
  public var snapshotTransactions: UInt64 = 100_000
  public var snapshotBytes: Int = 64 << 20
  var bytesSinceSnapshot = 0
  var transactionsSinceSnapshot: UInt64 = 0

  struct ReadIndexWaiter {
    var client: ClientID
    var index: LogIndex?
    var requestedAtMs: Int64
  }

  /// A node over `storage` (the durable Raft log), with `tree` restored from the storage's
  /// snapshot; `raftConfig.applied` must be that snapshot's index.
  public init(
    config: ServerNodeConfig, raftConfig: RaftConfig, storage: any LogStorage, tree: DataTree,
    nowMs: Int64
  ) throws(RaftError) {
    self.config = config
    self.raft = try RawNode(config: raftConfig, storage: storage)
    self.rejoiningWithoutDisk = raft.confState.voters.isEmpty && raft.confState.learners.isEmpty
    self.tree = tree
    self.appliedIndex = raftConfig.applied
    self.lastSnapshotIndex = raftConfig.applied
    self.lastZxid = CommandBatch.zxid(index: raftConfig.applied.rawValue, position: 0)
    self.clockMs = nowMs
    self.lastReapMs = nowMs
    // ZooKeeper's session ids: the server id in the top byte, then the start time, so ids stay
    // unique across restarts and leaders (SessionTrackerImpl.initializeNextSessionId).
    let timeBits = (UInt64(bitPattern: nowMs) << 24) >> 8
    self.sessionSequence = Int64(bitPattern: ((config.nodeID.rawValue & 0xff) << 56) | timeBits)
    if raft.confState.voters == [config.nodeID] {
      // A cluster of one: no one to wait for, so take the lead at once.
      raft.campaign()
    } else {
      leaderlessSinceMs = nowMs
    }
  }

  // MARK: Events

  /// A client connected from `address` (its IP, for the `ip` ACL scheme) and `port`.
  public mutating func clientConnected(_ id: ClientID, address: String, port: UInt16, nowMs: Int64) {
    advanceClock(nowMs)
    let identity = takeIdentity()
    clients[id] = ClientConnection(
      id: id, identity: identity, address: address, port: port, frameBytesMax: config.frameBytesMax, nowMs: nowMs)
    connectionsByIdentity[identity] = id
    stats.connectionsAccepted += 1
  }

  /// Bytes arrived from a client, split anywhere.
  public mutating func clientBytes(_ id: ClientID, _ bytes: some Collection<UInt8>, nowMs: Int64) {
    advanceClock(nowMs)
    guard var client = clients[id] else { return }
    if client.phase == .closing { return }
    client.decoder.append(bytes)
    client.lastActivityMs = nowMs
    clients[id] = client
    receiveFrames(id)
  }

  /// A client connection is gone (closed by either side). Its session lives on until it expires.
  public mutating func clientClosed(_ id: ClientID, nowMs: Int64) {
    advanceClock(nowMs)
    guard let client = clients.removeValue(forKey: id) else { return }
    watches.removeAll(watcher: client.watcher)
    if let session = client.session, sessionClients[session] == id {
      sessionClients[session] = nil
    }
    if case .creatingSession(let session) = client.phase { sessionCreations[session] = nil }
    connectionsByIdentity[client.identity] = nil
    if !handedOver.isEmpty {
      for key in handedOver.keys where key.connection == client.identity { handedOver[key] = nil }
    }
    for (context, waiter) in readIndexWaiters where waiter.client == id {
      readIndexWaiters[context] = nil
    }
  }

  /// A Raft tick passed (every `config.tickMs`): elections, heartbeats, session expiry, reaping.
  public mutating func tick(nowMs: Int64) {
    advanceClock(nowMs)
    forwardsHeld = false
    raft.tick()
    if role == .leader {
      expireSessions()
      reapIfDue()
    } else {
      reportSessionActivity()
    }
    retryStaleReadIndexes()
    closeStalledWrites()
    closeClientsIfLeaderless()
  }

  /// The shell could not queue a `.forward` (the link to the leader is down or full): the
  /// commands never left this node, so they wait for the next flush again, first in line.
  public mutating func forwardUndelivered(payload: [UInt8], nowMs: Int64) {
    advanceClock(nowMs)
    guard let commands = try? CommandBatch.decode(payload) else { return }
    for command in commands {
      if let key = InFlightKey(command.origin) { handedOver[key] = nil }
    }
    forwardBuffer.insert(contentsOf: commands, at: 0)
    // Try again at the next tick, not in a tight loop against a link that is down.
    forwardsHeld = true
  }

  /// A link to `peer` came up (after a restart of either side, or a network cut). The leader
  /// probes it again from the end of its log: if it lost its disk, it gets a snapshot.
  public mutating func peerLinkUp(_ peer: NodeID, nowMs: Int64) {
    advanceClock(nowMs)
    guard role == .leader else { return }
    raft.forgetProgress(of: peer)
  }

  /// A follower's forwarded client writes arrived (leader only; anyone else drops them, and
  /// the follower's clients time out and retry elsewhere).
  public mutating func peerForwarded(from peer: NodeID, payload: [UInt8], nowMs: Int64) {
    advanceClock(nowMs)
    guard role == .leader else { return }
    let commands: [Command]
    do {
      commands = try CommandBatch.decode(payload)
    } catch {
      log(.warn, "dropped a forward from \(peer) that does not decode: \(error)")
      return
    }
    for var command in commands {
      // The leader stamps time (DESIGN.md): ctime/mtime never go back across followers.
      command.timeMs = clockMs
      if case .closeSession(let session) = command.operation { sessionsClosing.insert(session) }
      proposalBuffer.append(command)
      touchSession(command.origin.session)
    }
  }

  /// A follower heard from these sessions' clients (leader only).
  public mutating func peerSessionActivity(from peer: NodeID, sessions: [SessionID], nowMs: Int64) {
    advanceClock(nowMs)
    guard role == .leader else { return }
    for session in sessions { touchSession(session) }
  }

  /// Leader only: hands leadership to the most caught-up other voter, for a clean stop
  /// (a rolling restart then costs one round trip, not an election timeout). False when there is
  /// no one to hand it to.
  public mutating func transferLeadership() -> Bool {
    guard role == .leader else { return false }
    let status = raft.status
    let candidates = status.confState.voters.filter { $0 != config.nodeID }
    guard let target = candidates.max(by: { (status.matches[$0] ?? .zero, $0) < (status.matches[$1] ?? .zero, $1) }) else {
      return false
    }
    do {
      try raft.transferLeadership(to: target)
      log(.info, "transferring leadership to \(target)")
      return true
    } catch {
      log(.warn, "leadership transfer to \(target) refused: \(error)")
      return false
    }
  }

  /// A message from a peer node.
  public mutating func peerMessage(_ message: Message, nowMs: Int64) {
    advanceClock(nowMs)
    if rejoiningWithoutDisk {
      switch message.kind {
      case .append, .heartbeat, .snapshot:
        if firstLeaderTerm == nil { firstLeaderTerm = message.term }
      case .vote, .preVote:
        // A node that lost its disk lost its votes too: it must not vote in any term it may have
        // voted in before, which are all at most the term it first hears a leader in.
        guard let first = firstLeaderTerm, message.term > first else {
          log(.info, "not voting for \(message.from) in term \(message.term): rejoining after losing the data directory")
          return
        }
      default:
        break
      }
    }
    do {
      try raft.step(message)
    } catch {
      log(.warn, "dropped peer message from \(message.from): \(error)")
    }
  }

  /// The end of the shell's loop turn: proposes what this turn's requests asked for as one
  /// entry and hands out Raft's work.
  public mutating func endOfTurn(nowMs: Int64) {
    advanceClock(nowMs)
    flushForwards()
    while !resumedClients.isEmpty {
      let resumed = resumedClients
      resumedClients.removeAll()
      for id in resumed { receiveFrames(id) }
    }
    flushProposals()
    flushForwards()
    processReady()
  }

  /// The last `.persist` work is durable.
  public mutating func persisted(nowMs: Int64) {
    advanceClock(nowMs)
    guard let ready = readyInFlight else {
      preconditionFailure("persisted() without persist work in flight")
    }
    readyInFlight = nil
    for message in ready.messagesAfterPersist { actions.append(.sendPeer(message)) }
    raft.advance(ready)
    processReady()
  }

  /// Everything the node asked for since the last call, in order.
  public mutating func takeActions() -> [ServerAction] {
    defer { actions.removeAll(keepingCapacity: true) }
    return actions
  }

  // MARK: State for observers

  public var raftStatus: RaftStatus { raft.status }
  public var isLeader: Bool { role == .leader }
  public var connectionCount: Int { clients.count }
  public var watchCount: Int { watches.watchCount }

  /// A connection identity no node of the cluster ever hands out again: this node's id in the
  /// top byte, then a counter that starts from the wall clock in ms shifted left by 12 bits, so
  /// a restarted node does not reuse the identities of its previous run.
  mutating func takeIdentity() -> UInt64 {
    let floor = (UInt64(max(0, clockMs)) << 12) & ((1 << 56) - 1)
    lastIdentity = max(lastIdentity + 1, floor)
    return (config.nodeID.rawValue << 56) | (lastIdentity & ((1 << 56) - 1))
  }

  mutating func advanceClock(_ nowMs: Int64) {
    if nowMs > clockMs { clockMs = nowMs }
  }

  mutating func log(_ level: LogLine.Level, _ message: String) {
    actions.append(.log(LogLine(level, message)))
  }

  mutating func send(_ client: ClientID, _ bytes: [UInt8]) {
    clients[client]?.packetsSent += 1
    stats.packetsSent += 1
    actions.append(.send(client, bytes))
  }

  /// Closes a connection from the server's side: it is flushed, then closed by the shell,
  /// which reports `clientClosed`.
  mutating func close(_ id: ClientID, reason: String) {
    guard var client = clients[id], client.phase != .closing else { return }
    client.phase = .closing
    clients[id] = client
    log(.debug, "closing \(id) from \(client.address): \(reason)")
    actions.append(.close(id))
  }
}

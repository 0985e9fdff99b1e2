import DataTree
import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// The first frame on a connection: a ConnectRequest that opens or resumes a session.
  mutating func handleConnect(_ frame: [UInt8], client id: ClientID) {
    var reader = JuteReader(frame, lengthBound: config.frameBytesMax)
    let request: ConnectRequest
    do {
      request = try reader.read(ConnectRequest.self)
    } catch {
      stats.malformedFrames += 1
      close(id, reason: "bad connect request: \(error)")
      return
    }
    clients[id]?.readOnlyByte = request.readOnly
    // A client that has seen a later state than this node has applied must not read here, or
    // it would go back in time; it moves on to another server (ZooKeeper: client_zxid_ahead).
    if request.lastZxidSeen > lastZxid {
      log(.info, "refusing \(id): client has seen \(request.lastZxidSeen), this node applied \(lastZxid)")
      close(id, reason: "client zxid ahead")
      return
    }
    if let since = leaderlessSinceMs, clockMs - since >= config.electionTimeoutMs {
      close(id, reason: "no leader for an election timeout")
      return
    }
    if request.sessionID == .none {
      openSession(request, client: id)
    } else {
      resumeSession(request, client: id)
    }
  }

  /// A new session is a write like any other: proposed here on the leader, forwarded by a
  /// follower. The id carries this node's id in its top byte, so ids chosen on different nodes
  /// never collide (ZooKeeper's SessionTrackerImpl does the same).
  mutating func openSession(_ request: ConnectRequest, client id: ClientID) {
    sessionSequence += 1
    let session = SessionID(sessionSequence)
    let timeoutMs = config.negotiatedTimeoutMs(request.timeOutMs)
    let password = sessionPassword(session)
    let command = Command(
      timeMs: clockMs, origin: Origin(session: session, connection: clients[id]?.identity, xid: nil),
      operation: .createSession(session, password: password, timeoutMs: timeoutMs))
    guard submit(command) else {
      close(id, reason: "no leader to open a session")
      return
    }
    clients[id]?.phase = .creatingSession(session)
    sessionCreations[session] = id
  }

  mutating func resumeSession(_ request: ConnectRequest, client id: ClientID) {
    let session = request.sessionID
    guard let info = tree.session(session), info.password == request.passwd,
      !sessionsClosing.contains(session)
    else {
      send(id, Frame.record(ConnectResponse.invalidSession(readOnly: request.readOnly)))
      close(id, reason: "session \(session) expired or unknown")
      return
    }
    if let previous = sessionClients[session], previous != id {
      // The session moved to this connection; the old one must not answer for it any more.
      close(previous, reason: "session \(session) reconnected on \(id)")
    }
    attach(session, timeoutMs: info.timeoutMs, password: info.password, client: id)
  }

  /// Binds a live session to a connection and sends the ConnectResponse.
  mutating func attach(_ session: SessionID, timeoutMs: Int32, password: [UInt8], client id: ClientID) {
    guard let client = clients[id] else { return }
    clients[id]?.phase = .connected(session)
    sessionClients[session] = id
    touchSession(session)
    send(
      id,
      Frame.record(
        ConnectResponse(timeOutMs: timeoutMs, sessionID: session, passwd: password, readOnly: client.readOnlyByte.map { _ in false })))
  }

  /// A session's 16-byte password: derived from its id and the node's secret, so it cannot be
  /// guessed from the id; the leader carries it in the createSession command, so every replica
  /// can check it (ZooKeeper derives it the same way from a seeded generator).
  func sessionPassword(_ session: SessionID) -> [UInt8] {
    var rng = SeededRandom(seed: UInt64(bitPattern: session.rawValue) ^ config.secret)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16)
    for _ in 0..<2 {
      let word = rng.next()
      for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    return bytes
  }
}

import ZooKeeperWire

extension ClientSession {
  /// Asks for a connection to the next server of the shuffled list.
  mutating func beginConnect(nowMs: Int64, into actions: inout [SessionAction]) {
    let server = hosts[hostCursor]
    hostCursor = (hostCursor + 1) % hosts.count
    attemptsThisRound += 1
    currentServer = server
    link = .connecting
    actions.append(.connect(server, timeoutMs: connectTimeoutMs))
  }

  /// The connection is gone (or never came up): outstanding requests fail with connectionLoss
  /// (they may have applied, so they are not resent), and the next server is tried: at once
  /// while some server of this round is untried, else after a growing, jittered backoff.
  mutating func connectionLost(nowMs: Int64, into actions: inout [SessionAction]) {
    let wasConnected = link == .connected
    for item in sent.removeAll() {
      actions.append(.complete(item.token, .failure(.connectionLoss)))
    }
    for token in authReplies.removeAll() {
      if let token { actions.append(.complete(token, .failure(.connectionLoss))) }
    }
    if wasConnected {
      state = .suspended
      actions.append(.state(.suspended))
    }
    if expiredLocally(nowMs: nowMs) {
      finish(.expired, error: .sessionExpired, into: &actions)
      return
    }
    if attemptsThisRound < hosts.count {
      beginConnect(nowMs: nowMs, into: &actions)
      return
    }
    attemptsThisRound = 0
    failedRounds += 1
    let exponent = min(failedRounds - 1, 20)
    let delay = min(configuration.backoffMaxMs, configuration.backoffBaseMs << exponent)
    let jitter = Int64(rng.next(below: UInt64(max(1, delay / 2))))
    link = .idle(retryAtMs: nowMs + delay / 2 + jitter)
  }

  /// Whether the session must be considered expired without a server's word: it had been
  /// established and no server was heard from for 4/3 of the negotiated timeout.
  func expiredLocally(nowMs: Int64) -> Bool {
    guard configuration.expiresLocally, sessionID != .none, link != .connected else { return false }
    return nowMs - lastHeardMs >= Int64(negotiatedTimeoutMs) * 4 / 3
  }

  /// Ends the session in `final`: everything outstanding and every watcher fails with `error`.
  mutating func finish(_ final: SessionState, error: ZooKeeperError, into actions: inout [SessionAction]) {
    guard link != .finished else { return }
    link = .finished
    for item in sent.removeAll() {
      if item.opCode == .closeSession {
        actions.append(.complete(item.token, .success(.empty)))
      } else {
        actions.append(.complete(item.token, .failure(error)))
      }
    }
    for item in queued.removeAll() { actions.append(.complete(item.token, .failure(error))) }
    for token in authReplies.removeAll() {
      if let token { actions.append(.complete(token, .failure(error))) }
    }
    let watchers = watches.removeAll()
    if !watchers.isEmpty { actions.append(.watchersEnded(watchers, error)) }
    state = final
    actions.append(.state(final))
  }

  /// The next positive xid; wraps from Int32.max to 1, as the Java client.
  mutating func takeXid() -> Xid {
    let xid = Xid(nextXid)
    nextXid = nextXid == Int32.max ? 1 : nextXid + 1
    return xid
  }

  /// Frames `request` with `xid` and queues it for sending.
  mutating func send(_ xid: Xid, _ request: ClientRequest, nowMs: Int64, into actions: inout [SessionAction]) {
    actions.append(.send(Frame.request(xid: xid, request)))
    lastSendMs = nowMs
  }

  /// Sends a user request with a fresh xid and remembers it in the FIFO.
  mutating func sendUserRequest(
    _ request: ClientRequest, token: RequestToken, watch: WatchRegistration?, nowMs: Int64,
    into actions: inout [SessionAction]
  ) {
    let xid = takeXid()
    var writer = JuteWriter(reservingCapacity: 64)
    writer.writeRequestFrame(xid: xid, request)
    if writer.count - 4 > configuration.frameBytesMax {
      actions.append(
        .complete(token, .failure(.requestTooLarge(bytes: writer.count - 4, limitBytes: configuration.frameBytesMax))))
      return
    }
    sent.append(Sent(xid: xid, opCode: request.opCode, token: token, watch: watch))
    actions.append(.send(writer.takeBytes()))
    lastSendMs = nowMs
  }

  /// After a successful handshake: replay credentials, re-arm watches, then send what waited.
  mutating func prime(nowMs: Int64, into actions: inout [SessionAction]) {
    var replayed = credentials
    var pendingAuth: [(AuthPacket, RequestToken)] = []
    var rest: [Queued] = []
    for item in queued.removeAll() {
      if case .auth(let packet) = item.request {
        // Queued addAuth calls are already in `credentials`; complete them with their reply.
        if let index = replayed.lastIndex(of: packet) { replayed.remove(at: index) }
        pendingAuth.append((packet, item.token))
      } else {
        rest.append(item)
      }
    }
    for packet in replayed {
      authReplies.append(nil)
      send(.auth, .auth(packet), nowMs: nowMs, into: &actions)
    }
    for (packet, token) in pendingAuth {
      authReplies.append(token)
      send(.auth, .auth(packet), nowMs: nowMs, into: &actions)
    }
    for request in watches.reRegistration(relativeZxid: lastZxidSeen) {
      send(.setWatches, request, nowMs: nowMs, into: &actions)
    }
    for item in rest {
      sendUserRequest(item.request, token: item.token, watch: item.watch, nowMs: nowMs, into: &actions)
    }
  }
}

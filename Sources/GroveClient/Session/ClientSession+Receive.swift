import ZooKeeperWire

extension ClientSession {
  /// Bytes arrived on the current connection, in any split. Complete frames are handled in
  /// order; anything malformed (a hostile length, an undecodable record, a reply out of order)
  /// drops the connection and fails over to the next server: a broken server never traps the
  /// client and never completes a request with a wrong answer.
  public mutating func received(_ bytes: [UInt8], nowMs: Int64) -> [SessionAction] {
    switch link {
    case .handshaking, .connected, .closing: break
    default: return []
    }
    lastReceiveMs = nowMs
    lastHeardMs = nowMs
    decoder.append(bytes)
    var actions: [SessionAction] = []
    while true {
      let frame: [UInt8]
      do {
        guard let next = try decoder.nextFrame() else { break }
        frame = next
      } catch {
        protocolFailure(nowMs: nowMs, into: &actions)
        break
      }
      let ok: Bool
      if case .handshaking = link {
        ok = handleConnectResponse(frame, nowMs: nowMs, into: &actions)
      } else {
        ok = handleMessage(frame, nowMs: nowMs, into: &actions)
      }
      if !ok {
        protocolFailure(nowMs: nowMs, into: &actions)
        break
      }
      // The session may have ended or dropped the connection while handling the frame.
      switch link {
      case .connected, .closing: continue
      default: return actions
      }
    }
    return actions
  }

  /// Drops a connection whose server broke the protocol.
  mutating func protocolFailure(nowMs: Int64, into actions: inout [SessionAction]) {
    actions.append(.closeConnection)
    if case .closing = link {
      finish(.closed, error: .sessionClosed, into: &actions)
    } else {
      connectionLost(nowMs: nowMs, into: &actions)
    }
  }

  /// Handles the handshake's answer. Returns false when it is malformed.
  mutating func handleConnectResponse(_ frame: [UInt8], nowMs: Int64, into actions: inout [SessionAction]) -> Bool {
    var reader = JuteReader(frame, lengthBound: configuration.frameBytesMax)
    guard let response = try? reader.read(ConnectResponse.self) else { return false }
    if response.timeOutMs <= 0 {
      // As ZooKeeper: a zero timeout means the session to resume is gone.
      actions.append(.closeConnection)
      finish(.expired, error: .sessionExpired, into: &actions)
      return true
    }
    if sessionID != .none && response.sessionID != sessionID { return false }
    sessionID = response.sessionID
    passwd = response.passwd
    negotiatedTimeoutMs = response.timeOutMs
    link = .connected
    attemptsThisRound = 0
    failedRounds = 0
    let next: SessionState = state == .connecting ? .connected : .reconnected
    state = next
    actions.append(.state(next))
    prime(nowMs: nowMs, into: &actions)
    return true
  }

  /// Handles one frame after the handshake. Returns false when it is malformed.
  mutating func handleMessage(_ frame: [UInt8], nowMs: Int64, into actions: inout [SessionAction]) -> Bool {
    let message: ServerMessage
    do {
      message = try ServerMessage.decode(
        payload: frame, expecting: sent.first?.opCode, lengthBound: configuration.frameBytesMax)
    } catch {
      return false
    }
    let header = message.header
    if header.zxid.rawValue > 0 && header.zxid > lastZxidSeen { lastZxidSeen = header.zxid }
    switch message {
    case .notification(let header, let event):
      let tokens = watches.fire(event.type, path: event.path)
      if !tokens.isEmpty {
        let clientPath = configuration.chroot.clientPath(event.path)
        actions.append(.watch(tokens, WatchedEvent(type: event.type, path: clientPath, zxid: header.zxid)))
      }
      return true
    case .reply(let header, let response):
      switch header.xid {
      case .ping, .setWatches:
        return true
      case .auth:
        let token = authReplies.popFirst() ?? nil
        if header.err == .authFailed {
          if let token { actions.append(.complete(token, .failure(.authFailed))) }
          actions.append(.closeConnection)
          finish(.authFailed, error: .authFailed, into: &actions)
          return true
        }
        if let token {
          actions.append(.complete(token, header.err == .ok ? .success(.empty) : .failure(.server(header.err, path: nil))))
        }
        return true
      default:
        guard let head = sent.first, head.xid == header.xid else { return false }
        _ = sent.popFirst()
        arm(head.watch, err: header.err)
        if head.opCode == .closeSession {
          actions.append(.complete(head.token, .success(.empty)))
          actions.append(.closeConnection)
          finish(.closed, error: .sessionClosed, into: &actions)
          return true
        }
        if header.err == .ok {
          actions.append(.complete(head.token, .success(response)))
        } else {
          actions.append(.complete(head.token, .failure(.server(header.err, path: nil))))
        }
        return true
      }
    }
  }

  /// Whether a request of `kind` with this outcome armed its watch (the rule `arm` applies).
  public static func armsWatch(_ kind: WatchKind, outcome: Result<ClientResponse, ZooKeeperError>) -> Bool {
    switch outcome {
    case .success: return true
    case .failure(.server(.noNode, _)): return kind == .exist
    case .failure: return false
    }
  }

  /// Records the watch a request armed, as ZooKeeper's WatchRegistration: getData and
  /// getChildren arm only on success; exists arms a data watch when the node exists and an
  /// exist watch when it does not.
  mutating func arm(_ registration: WatchRegistration?, err: ErrorCode) {
    guard let registration else { return }
    switch (registration.kind, err) {
    case (.data, .ok): watches.add(registration.token, kind: .data, path: registration.serverPath)
    case (.exist, .ok): watches.add(registration.token, kind: .data, path: registration.serverPath)
    case (.exist, .noNode): watches.add(registration.token, kind: .exist, path: registration.serverPath)
    case (.child, .ok): watches.add(registration.token, kind: .child, path: registration.serverPath)
    case (.persistent, .ok), (.persistentRecursive, .ok):
      watches.add(registration.token, kind: registration.kind, path: registration.serverPath)
    default: break
    }
  }
}

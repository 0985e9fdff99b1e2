import DataTree
import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// Takes every complete frame the connection has buffered and acts on it. Hostile input
  /// (a bad length, a body that does not decode) closes that connection only.
  mutating func receiveFrames(_ id: ClientID) {
    while let client = clients[id], client.phase != .closing, !client.readingPaused {
      var decoder = client.decoder
      if client.phase == .awaitingConnect, let word = decoder.peekInt32(),
        let fourLetterWord = FourLetterWord(rawValue: word)
      {
        answerFourLetterWord(fourLetterWord, client: id)
        return
      }
      let frame: [UInt8]?
      do {
        frame = try decoder.nextFrame()
      } catch {
        stats.malformedFrames += 1
        clients[id]?.decoder = decoder
        close(id, reason: "bad frame: \(error)")
        return
      }
      clients[id]?.decoder = decoder
      guard let frame else { return }
      clients[id]?.packetsReceived += 1
      stats.packetsReceived += 1
      if client.phase == .awaitingConnect {
        handleConnect(frame, client: id)
      } else {
        handleRequestFrame(frame, client: id)
      }
    }
  }

  /// One request frame after the handshake: decode, then queue it in arrival order.
  mutating func handleRequestFrame(_ frame: [UInt8], client id: ClientID) {
    var reader = JuteReader(frame, lengthBound: config.frameBytesMax)
    let header: RequestHeader
    do {
      header = try reader.read(RequestHeader.self)
    } catch {
      stats.malformedFrames += 1
      close(id, reason: "bad request header: \(error)")
      return
    }
    guard let client = clients[id], let session = client.session else {
      // Requests sent while the new session is being created wait for nothing: ZooKeeper's
      // clients never send them, so treat it as a protocol error.
      close(id, reason: "request before the session was established")
      return
    }
    guard let opCode = header.opCode else {
      answerNow(id, xid: header.xid, err: .unimplemented)
      return
    }
    let request: ClientRequest?
    do {
      request = try ClientRequest.decodeBody(opCode: opCode, from: &reader)
    } catch {
      stats.malformedFrames += 1
      close(id, reason: "bad \(opCode) body: \(error)")
      return
    }
    guard let request else {
      answerNow(id, xid: header.xid, err: .unimplemented)
      return
    }
    touchSession(session)
    if sessionsClosing.contains(session) {
      answerNow(id, xid: header.xid, err: .sessionExpired)
      return
    }
    enqueue(request, xid: header.xid, client: id, session: session)
  }

  /// Puts a request in the connection's queue: writes go to the log now (pipelined), reads wait
  /// their turn so each sees every earlier write of the session (FIFO per session).
  mutating func enqueue(_ request: ClientRequest, xid: Xid, client id: ClientID, session: SessionID) {
    var state: PendingRequest.State = .local
    switch classify(request) {
    case .write(var operation):
      if case .closeSession = operation {
        operation = .closeSession(session)
        sessionsClosing.insert(session)
      }
      let origin = Origin(
        session: session, connection: clients[id]?.identity, xid: xid, authIds: clients[id]?.authIds ?? [])
      guard submit(Command(timeMs: clockMs, origin: origin, operation: operation)) else {
        if case .closeSession = operation { sessionsClosing.remove(session) }
        close(id, reason: "no leader to take the write")
        return
      }
      state = .proposed
    case .invalid(let code):
      state = .done(replyFrame(xid: xid, err: code))
    case .sync:
      state = .awaitingReadIndex(requestReadIndex(for: id))
    case .read:
      if config.linearizableReads {
        state = .awaitingReadIndex(requestReadIndex(for: id))
      }
    case .local:
      break
    }
    guard var client = clients[id] else { return }
    client.enqueue(PendingRequest(xid: xid, request: request, state: state, receivedAtMs: clockMs))
    if client.pendingCount >= config.pendingRequestsMax && !client.readingPaused {
      client.readingPaused = true
      actions.append(.pauseReading(id))
    }
    clients[id] = client
    drain(id)
  }

  /// A reply with no body, queued behind nothing: for requests that cannot even be ordered.
  mutating func answerNow(_ id: ClientID, xid: Xid, err: ErrorCode) {
    send(id, replyFrame(xid: xid, err: err))
  }

  func replyFrame(xid: Xid, err: ErrorCode) -> [UInt8] {
    Frame.reply(ReplyHeader(xid: xid, zxid: lastZxid, err: err))
  }

  /// Sends every answered request at the front of the queue, answering local ones on the way,
  /// and stops at the first that still waits (a write in the log, a read index).
  mutating func drain(_ id: ClientID) {
    while var client = clients[id], client.queueHead < client.queue.count {
      let head = client.queue[client.queueHead]
      let bytes: [UInt8]
      switch head.state {
      case .proposed, .awaitingReadIndex:
        return
      case .done(let answer):
        bytes = answer
      case .local:
        // Answering may change the client (auth ids, watches): write it back first.
        clients[id] = client
        guard let answer = answerLocally(head.request, xid: head.xid, client: id) else { return }
        guard let updated = clients[id] else { return }
        client = updated
        bytes = answer
      }
      client.queueHead += 1
      client.compactQueue()
      stats.recordLatency(clockMs - head.receivedAtMs)
      if client.readingPaused && client.pendingCount <= config.pendingRequestsMax / 2 {
        client.readingPaused = false
        actions.append(.resumeReading(id))
        resumedClients.append(id)
      }
      clients[id] = client
      send(id, bytes)
      if case .closeSession = head.request {
        close(id, reason: "session closed by the client")
        return
      }
    }
  }
}

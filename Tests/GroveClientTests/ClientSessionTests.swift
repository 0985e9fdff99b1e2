import Testing
import ZooKeeperWire

@testable import GroveClient

@Suite("ClientSession: handshake, pipelining and failures")
struct ClientSessionTests {
  @Test("the first connect sends a ConnectRequest for a new session with the requested timeout")
  func handshakeRequest() {
    var session = ClientSession(configuration: Script.configuration(timeoutMs: 6_000), seed: 1)
    let start = session.start(nowMs: 0)
    #expect(Script.connects(start) == [Script.server])
    let request = Script.connectRequest(session.connectionEstablished(nowMs: 0))
    #expect(request?.sessionID == SessionID.none)
    #expect(request?.timeOutMs == 6_000)
    #expect(request?.lastZxidSeen == .zero)
    #expect(request?.passwd == [UInt8](repeating: 0, count: 16))
  }

  @Test("the handshake's answer establishes the session with the negotiated timeout")
  func handshakeResponse() {
    var session = ClientSession(configuration: Script.configuration(), seed: 1)
    _ = session.start(nowMs: 0)
    _ = session.connectionEstablished(nowMs: 0)
    let actions = session.received(Script.connectResponse(session: 0x42, timeoutMs: 4_000), nowMs: 5)
    #expect(Script.states(actions) == [.connected])
    #expect(session.sessionID == SessionID(0x42))
    #expect(session.negotiatedTimeoutMs == 4_000)
    #expect(session.pingIntervalMs == 1_333)
    #expect(session.readTimeoutMs == 2_666)
  }

  @Test("requests are pipelined with increasing xids and replies complete them in order")
  func pipelining() {
    var session = Script.connectedSession()
    var sent: [(Int32, ClientRequest)] = []
    for n in 1...3 {
      sent += Script.sent(
        session.submit(.getData(GetDataRequest(path: "/n\(n)")), token: Script.token(UInt64(n)), nowMs: 1))
    }
    #expect(sent.map(\.0) == [1, 2, 3])
    #expect(session.outstandingCount == 3)
    let stat = Stat(version: 4)
    var bytes: [UInt8] = []
    for xid in 1...3 { bytes += Script.reply(xid: Int32(xid), zxid: 0x20 + Int64(xid), .getData(GetDataResponse(data: [UInt8(xid)], stat: stat))) }
    // Split the three replies at an awkward boundary: framing must not care.
    let first = session.received(Array(bytes[..<30]), nowMs: 2)
    let rest = session.received(Array(bytes[30...]), nowMs: 2)
    let done = Script.completions(first + rest)
    #expect(done.count == 3)
    #expect(done[2] == .success(.getData(GetDataResponse(data: [2], stat: stat))))
    #expect(session.lastZxidSeen == Zxid(0x23))
    #expect(session.outstandingCount == 0)
    session.checkInvariants()
  }

  @Test("a server error completes the request with that code")
  func serverError() {
    var session = Script.connectedSession()
    _ = session.submit(.delete(DeleteRequest(path: "/a")), token: Script.token(1), nowMs: 1)
    let done = Script.completions(session.received(Script.reply(xid: 1, err: .noNode), nowMs: 2))
    #expect(done[1] == .failure(.server(.noNode, path: nil)))
  }

  @Test("a reply whose xid is not the oldest outstanding one drops the connection and fails every sent request with connectionLoss")
  func xidMismatch() {
    var session = Script.connectedSession()
    _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(1), nowMs: 1)
    _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(2), nowMs: 1)
    let actions = session.received(Script.reply(xid: 2, .sync(SyncResponse(path: "/"))), nowMs: 2)
    #expect(actions.contains(.closeConnection))
    let done = Script.completions(actions)
    #expect(done[1] == .failure(.connectionLoss))
    #expect(done[2] == .failure(.connectionLoss))
    #expect(Script.states(actions) == [.suspended])
    #expect(Script.connects(actions).count == 1)
    session.checkInvariants()
  }

  @Test("hostile frame lengths and undecodable records drop the connection instead of trapping")
  func garbage() {
    for garbage: [UInt8] in [[0xff, 0xff, 0xff, 0xff], [0x7f, 0, 0, 0], [0, 0, 0, 3, 1, 2, 3]] {
      var session = Script.connectedSession()
      _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(1), nowMs: 1)
      let actions = session.received(garbage, nowMs: 2)
      #expect(actions.contains(.closeConnection), "garbage \(garbage)")
      #expect(Script.completions(actions)[1] == .failure(.connectionLoss))
    }
  }

  @Test("ten thousand seeded random byte chunks never trap the session")
  func randomBytes() {
    var rng = SplitMix64(state: 99)
    for _ in 0..<200 {
      var session = Script.connectedSession()
      _ = session.submit(.getData(GetDataRequest(path: "/x")), token: Script.token(1), nowMs: 1)
      for _ in 0..<50 {
        let count = Int(rng.next(below: 40))
        var chunk = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if rng.next(below: 3) == 0, chunk.count >= 4 { chunk[0] = 0; chunk[1] = 0; chunk[2] = 0 }
        let actions = session.received(chunk, nowMs: 2)
        if actions.contains(.closeConnection) {
          _ = session.connectionEstablished(nowMs: 3)
          _ = session.received(Script.connectResponse(), nowMs: 3)
        }
        session.checkInvariants()
      }
    }
  }

  @Test("an expired session answer ends the session: queued requests fail with sessionExpired")
  func expiredOnReconnect() {
    var session = Script.connectedSession()
    _ = session.connectionClosed(nowMs: 10)
    _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(5), nowMs: 11)
    _ = session.connectionEstablished(nowMs: 12)
    let actions = session.received(
      Frame.record(ConnectResponse.invalidSession(readOnly: false)), nowMs: 13)
    #expect(Script.states(actions) == [.expired])
    #expect(Script.completions(actions)[5] == .failure(.sessionExpired))
    let after = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(6), nowMs: 14)
    #expect(Script.completions(after)[6] == .failure(.sessionExpired))
    session.checkInvariants()
  }

  @Test("xids wrap from Int32.max back to 1, never 0 or negative")
  func xidWrap() {
    var session = Script.connectedSession()
    session.nextXid = Int32.max
    let a = Script.sent(session.submit(.sync(SyncRequest(path: "/")), token: Script.token(1), nowMs: 1))
    let b = Script.sent(session.submit(.sync(SyncRequest(path: "/")), token: Script.token(2), nowMs: 1))
    #expect(a.map(\.0) == [Int32.max])
    #expect(b.map(\.0) == [1])
  }

  @Test("a request whose frame exceeds jute.maxbuffer is rejected before sending")
  func oversize() {
    var session = Script.connectedSession()
    let big = [UInt8](repeating: 1, count: 0x100000)
    let actions = session.submit(
      .setData(SetDataRequest(path: "/a", data: big)), token: Script.token(1), nowMs: 1)
    #expect(Script.sent(actions).isEmpty)
    if case .failure(.requestTooLarge) = Script.completions(actions)[1] {} else {
      Issue.record("expected requestTooLarge, got \(actions)")
    }
  }

  @Test("close sends closeSession and its reply ends the session as closed")
  func close() {
    var session = Script.connectedSession()
    let sent = Script.sent(session.close(token: Script.token(9), nowMs: 1))
    #expect(sent.map(\.1) == [.closeSession])
    let actions = session.received(Script.reply(xid: sent[0].0), nowMs: 2)
    #expect(Script.states(actions) == [.closed])
    #expect(Script.completions(actions)[9] == .success(.empty))
  }
}

import Testing
import ZooKeeperWire

@testable import GroveClient

@Suite("ClientSession: pings, timeouts, reconnects and replay")
struct SessionTimingTests {
  @Test("a ping goes out after 1/3 of the timeout without sending, not before")
  func ping() {
    var session = Script.connectedSession()  // 9 s timeout: ping at 3 s, read timeout at 6 s
    #expect(Script.sentDecodings(session.tick(nowMs: 2_999)).isEmpty)
    _ = session.received(Script.reply(xid: -2), nowMs: 2_999)
    let sent = Script.sentDecodings(session.tick(nowMs: 3_000))
    #expect(sent.map(\.header) == [RequestHeader(xid: .ping, opCode: .ping)])
  }

  @Test("nothing received for 2/3 of the timeout drops the connection and tries the next server")
  func readTimeout() {
    let servers = [ServerAddress(host: "a", port: 1), ServerAddress(host: "b", port: 2)]
    var session = Script.connectedSession(configuration: Script.configuration(servers: servers))
    let first = session.currentServer
    #expect(!session.tick(nowMs: 5_999).contains(.closeConnection))
    let actions = session.tick(nowMs: 6_000)
    #expect(actions.contains(.closeConnection))
    #expect(Script.states(actions) == [.suspended])
    #expect(Script.connects(actions).count == 1)
    #expect(session.currentServer != first)
  }

  @Test("a reconnect resumes the session with its id, password and last zxid, replays credentials, re-arms watches, then sends queued requests")
  func reconnectReplay() {
    var session = Script.connectedSession()
    _ = session.submit(.auth(AuthPacket(scheme: "digest", auth: Array("u:p".utf8))), token: Script.token(1), nowMs: 1)
    _ = session.received(Script.reply(xid: -4, zxid: 0), nowMs: 1)
    _ = session.submit(
      .getData(GetDataRequest(path: "/d", watch: true)), token: Script.token(2),
      watch: WatchRegistration(token: Script.watcher(1), serverPath: "/d", kind: .data), nowMs: 2)
    _ = session.submit(
      .addWatch(AddWatchRequest(path: "/r", mode: .persistentRecursive)), token: Script.token(3),
      watch: WatchRegistration(token: Script.watcher(2), serverPath: "/r", kind: .persistentRecursive), nowMs: 2)
    _ = session.received(
      Script.reply(xid: 1, zxid: 0x55, .getData(GetDataResponse(data: [], stat: Stat())))
        + Script.reply(xid: 2, zxid: 0x56, .addWatch(ErrorResponse(err: .ok))), nowMs: 3)
    _ = session.connectionClosed(nowMs: 4)
    _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(4), nowMs: 5)
    let hello = Script.connectRequest(session.connectionEstablished(nowMs: 6))
    #expect(hello?.sessionID == SessionID(0x1234))
    #expect(hello?.passwd == Script.password)
    #expect(hello?.lastZxidSeen == Zxid(0x56))
    let actions = session.received(Script.connectResponse(), nowMs: 7)
    #expect(Script.states(actions) == [.reconnected])
    let sent = Script.sent(actions)
    #expect(sent.map(\.0) == [-4, -8, 3])
    #expect(
      sent[1].1
        == .setWatches2(
          SetWatches2(
            relativeZxid: Zxid(0x56), dataWatches: ["/d"], existWatches: [], childWatches: [],
            persistentWatches: [], persistentRecursiveWatches: ["/r"])))
    #expect(sent[2].1 == .sync(SyncRequest(path: "/")))
  }

  @Test("after every server failed once, the next attempt waits a backoff")
  func backoff() {
    let servers = [ServerAddress(host: "a", port: 1), ServerAddress(host: "b", port: 2)]
    var session = ClientSession(configuration: Script.configuration(servers: servers), seed: 3)
    #expect(Script.connects(session.start(nowMs: 0)).count == 1)
    #expect(Script.connects(session.connectionClosed(nowMs: 1)).count == 1)
    #expect(Script.connects(session.connectionClosed(nowMs: 2)).isEmpty)
    #expect(Script.connects(session.tick(nowMs: 2)).isEmpty)
    #expect(Script.connects(session.tick(nowMs: 2 + 1_000)).count == 1)
  }

  @Test("hosts are shuffled by the seed, and every host is tried")
  func shuffle() {
    let servers = (1...5).map { ServerAddress(host: "h\($0)", port: 1) }
    var orders: Set<[String]> = []
    for seed in 0..<8 as Range<UInt64> {
      var session = ClientSession(configuration: Script.configuration(servers: servers), seed: seed)
      var tried = Script.connects(session.start(nowMs: 0))
      for _ in 1..<5 { tried += Script.connects(session.connectionClosed(nowMs: 0)) }
      #expect(Set(tried) == Set(servers))
      orders.insert(tried.map(\.host))
    }
    #expect(orders.count > 1)
  }

  @Test("without hearing from any server for 4/3 of the timeout the session expires locally")
  func localExpiry() {
    var session = Script.connectedSession()
    _ = session.received(Script.reply(xid: -2), nowMs: 1_000)
    _ = session.connectionClosed(nowMs: 1_000)
    _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(1), nowMs: 1_001)
    #expect(Script.states(session.tick(nowMs: 12_999)).isEmpty)
    let actions = session.tick(nowMs: 13_000)
    #expect(Script.states(actions).last == .expired)
    #expect(Script.completions(actions)[1] == .failure(.sessionExpired))
  }
}

@Suite("ClientSession: credentials, re-registration limits and handshake")
struct SessionReplayTests {
  @Test("a rejected credential ends the session as authFailed and fails what is outstanding")
  func authFailed() {
    var session = Script.connectedSession()
    _ = session.submit(.auth(AuthPacket(scheme: "digest", auth: Array("x".utf8))), token: Script.token(1), nowMs: 1)
    _ = session.submit(.sync(SyncRequest(path: "/")), token: Script.token(2), nowMs: 1)
    let actions = session.received(Script.reply(xid: -4, zxid: 0, err: .authFailed), nowMs: 2)
    #expect(Script.states(actions) == [.authFailed])
    let done = Script.completions(actions)
    #expect(done[1] == .failure(.authFailed))
    #expect(done[2] == .failure(.authFailed))
    #expect(actions.contains(.closeConnection))
  }

  @Test("watch re-registration is split into packets of at most 128 KiB of paths")
  func setWatchesSplit() {
    var session = Script.connectedSession()
    let longName = String(repeating: "x", count: 1_000)
    for n in 0..<300 {
      let path = "/\(longName)\(n)"
      _ = session.submit(
        .getData(GetDataRequest(path: path, watch: true)), token: Script.token(UInt64(n + 1)),
        watch: WatchRegistration(token: Script.watcher(UInt64(n)), serverPath: path, kind: .data), nowMs: 0)
      _ = session.received(Script.reply(xid: Int32(n + 1), .getData(GetDataResponse(data: [], stat: Stat()))), nowMs: 0)
    }
    _ = session.connectionClosed(nowMs: 1)
    _ = session.connectionEstablished(nowMs: 2)
    let packets = Script.sent(session.received(Script.connectResponse(), nowMs: 3)).compactMap {
      if case .setWatches(let w) = $0.1 { return w } else { return nil }
    }
    #expect(packets.count == 3)
    #expect(packets.map { $0.dataWatches.count }.reduce(0, +) == 300)
    for packet in packets { #expect(packet.dataWatches.map(\.utf8.count).reduce(0, +) <= 128 * 1024) }
  }

  @Test("a server that never answers the handshake is dropped after the timeout")
  func handshakeTimeout() {
    let servers = [ServerAddress(host: "a", port: 1), ServerAddress(host: "b", port: 2)]
    var session = ClientSession(configuration: Script.configuration(servers: servers), seed: 5)
    _ = session.start(nowMs: 0)
    _ = session.connectionEstablished(nowMs: 0)
    #expect(!session.tick(nowMs: 5_999).contains(.closeConnection))
    let actions = session.tick(nowMs: 6_000)
    #expect(actions.contains(.closeConnection))
    #expect(Script.connects(actions).count == 1)
  }

  @Test("a resumed handshake answered with another session id is a protocol failure")
  func wrongSessionOnResume() {
    var session = Script.connectedSession()
    _ = session.connectionClosed(nowMs: 1)
    _ = session.connectionEstablished(nowMs: 2)
    let actions = session.received(Script.connectResponse(session: 0x9999), nowMs: 3)
    #expect(actions.contains(.closeConnection))
    #expect(session.sessionID == SessionID(0x1234))
  }
}

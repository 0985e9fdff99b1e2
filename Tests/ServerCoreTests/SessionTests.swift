import DataTree
import RaftCore
import ServerCore
import Testing
import ZooKeeperWire

@Suite("sessions: handshake, resume, expiry")
struct SessionTests {
  @Test("a new session gets a clamped timeout, an id with the node in its top byte, a 16-byte password")
  func newSession() {
    var h = NodeHarness { $0.sessionTimeoutMsMin = 4000; $0.sessionTimeoutMsMax = 20000 }
    let (_, small) = h.openSession(timeoutMs: 100)
    #expect(small.timeOutMs == 4000)
    let (_, large) = h.openSession(timeoutMs: 1_000_000)
    #expect(large.timeOutMs == 20000)
    #expect(UInt64(bitPattern: small.sessionID.rawValue) >> 56 == 1)
    #expect(small.sessionID != large.sessionID)
    #expect(small.passwd.count == 16 && small.passwd != [UInt8](repeating: 0, count: 16))
    #expect(small.readOnly == false, "the read-only byte is mirrored when the client sent one")
  }

  @Test("a session resumes on a new connection with its password; the old connection is closed")
  func resume() {
    var h = NodeHarness()
    let (first, opened) = h.openSession()
    let second = h.connect()
    h.send(
      second,
      Frame.record(
        ConnectRequest(
          protocolVersion: 0, lastZxidSeen: .zero, timeOutMs: 10_000, sessionID: opened.sessionID,
          passwd: opened.passwd, readOnly: nil)))
    let frames = h.takeFrames(second)
    var reader = JuteReader(frames[0])
    let resumed = try! reader.read(ConnectResponse.self)
    #expect(resumed.sessionID == opened.sessionID)
    #expect(resumed.timeOutMs == opened.timeOutMs)
    #expect(resumed.readOnly == nil)
    #expect(h.closed.contains(first))
    #expect(!h.closed.contains(second))
  }

  @Test("a wrong password or an unknown session gets ZooKeeper's invalid-session answer and a close")
  func badResume() {
    var h = NodeHarness()
    let (_, opened) = h.openSession()
    for (session, password) in [(opened.sessionID, [UInt8](repeating: 9, count: 16)), (SessionID(42), opened.passwd)] {
      let id = h.connect()
      h.send(
        id,
        Frame.record(
          ConnectRequest(protocolVersion: 0, lastZxidSeen: .zero, timeOutMs: 10_000, sessionID: session, passwd: password, readOnly: nil)))
      var reader = JuteReader(h.takeFrames(id)[0])
      let answer = try! reader.read(ConnectResponse.self)
      #expect(answer.timeOutMs == 0 && answer.sessionID == .none)
      #expect(h.closed.contains(id))
    }
  }

  @Test("a client that has seen a later zxid than this node applied is refused (never back in time)")
  func clientAhead() {
    var h = NodeHarness()
    let id = h.connect()
    h.send(
      id,
      Frame.record(
        ConnectRequest(protocolVersion: 0, lastZxidSeen: Zxid(Int64.max), timeOutMs: 10_000, sessionID: .none, passwd: [UInt8](repeating: 0, count: 16), readOnly: nil)))
    #expect(h.takeFrames(id).isEmpty)
    #expect(h.closed.contains(id))
  }

  @Test("a silent session expires after its timeout; its ephemerals go and watchers hear NodeDeleted")
  func expiry() {
    var h = NodeHarness { $0.sessionTimeoutMsMin = 1000 }
    let (owner, _) = h.openSession(timeoutMs: 2000)
    let (watcher, _) = h.openSession(timeoutMs: 60_000)
    _ = h.call(owner, xid: 1, .create(CreateRequest(path: "/eph", data: [], acl: ACL.openUnsafe, mode: .ephemeral)))
    _ = h.call(watcher, xid: 1, .exists(ExistsRequest(path: "/eph", watch: true)))
    // The watcher keeps its session alive with pings; the owner says nothing.
    var received: [Reply] = []
    for i in 0..<30 {
      h.advance(ms: 100)
      if i % 5 == 0 { received += h.call(watcher, xid: -2, .ping) }
    }
    #expect(h.closed.contains(owner))
    let events = (received + h.takeReplies(watcher)).filter(\.isEvent)
    #expect(events.map(\.event.type) == [.nodeDeleted])
    #expect(h.node.tree.exists("/eph") == nil)
    #expect(h.node.tree.sessions.count == 1)
  }

  @Test("pings keep a session alive past its timeout")
  func pingsKeepAlive() {
    var h = NodeHarness { $0.sessionTimeoutMsMin = 1000 }
    let (id, _) = h.openSession(timeoutMs: 2000)
    for _ in 0..<10 {
      h.advance(ms: 600)
      let replies = h.call(id, xid: -2, .ping)
      #expect(replies.map(\.header.xid) == [.ping])
    }
    #expect(!h.closed.contains(id))
    #expect(h.node.tree.sessions.count == 1)
  }

  @Test("closeSession is answered, then the connection closes and the ephemerals are gone")
  func closeSession() {
    var h = NodeHarness()
    let (id, _) = h.openSession()
    _ = h.call(id, xid: 1, .create(CreateRequest(path: "/e", data: [], acl: ACL.openUnsafe, mode: .ephemeral)))
    let replies = h.call(id, xid: 2, .closeSession)
    #expect(replies.map(\.header.xid) == [Xid(2)])
    #expect(replies.first?.header.err == .ok)
    #expect(h.closed.contains(id))
    #expect(h.node.tree.exists("/e") == nil)
    #expect(h.node.tree.sessions.isEmpty)
  }
}

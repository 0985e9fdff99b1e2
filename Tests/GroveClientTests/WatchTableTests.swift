import Testing
import ZooKeeperWire

@testable import GroveClient

@Suite("ClientSession: watch routing")
struct WatchRoutingTests {
  func session(chroot: String = "") -> ClientSession {
    Script.connectedSession(configuration: Script.configuration(chroot: chroot))
  }

  func fired(_ actions: [SessionAction]) -> [([WatcherToken], WatchedEvent)] {
    actions.compactMap { if case .watch(let t, let e) = $0 { return (t, e) } else { return nil } }
  }

  @Test("a one-shot data watch fires once, then is forgotten")
  func oneShot() {
    var session = session()
    _ = session.submit(
      .getData(GetDataRequest(path: "/a", watch: true)), token: Script.token(1),
      watch: WatchRegistration(token: Script.watcher(7), serverPath: "/a", kind: .data), nowMs: 0)
    _ = session.received(Script.reply(xid: 1, .getData(GetDataResponse(data: [], stat: Stat()))), nowMs: 0)
    let first = fired(session.received(Script.event(.nodeDataChanged, "/a"), nowMs: 1))
    #expect(first.map(\.0) == [[Script.watcher(7)]])
    #expect(fired(session.received(Script.event(.nodeDataChanged, "/a"), nowMs: 2)).isEmpty)
  }

  @Test("a failed getData arms no watch; an exists on a missing node arms an exist watch")
  func armingRules() {
    var session = session()
    _ = session.submit(
      .getData(GetDataRequest(path: "/a", watch: true)), token: Script.token(1),
      watch: WatchRegistration(token: Script.watcher(1), serverPath: "/a", kind: .data), nowMs: 0)
    _ = session.submit(
      .exists(ExistsRequest(path: "/b", watch: true)), token: Script.token(2),
      watch: WatchRegistration(token: Script.watcher(2), serverPath: "/b", kind: .exist), nowMs: 0)
    _ = session.received(Script.reply(xid: 1, err: .noNode) + Script.reply(xid: 2, err: .noNode), nowMs: 0)
    #expect(fired(session.received(Script.event(.nodeCreated, "/a"), nowMs: 1)).isEmpty)
    #expect(fired(session.received(Script.event(.nodeCreated, "/b"), nowMs: 1)).map(\.0) == [[Script.watcher(2)]])
  }

  @Test("a persistent recursive watch fires for descendants on every change but never for child lists")
  func recursive() {
    var session = session()
    _ = session.submit(
      .addWatch(AddWatchRequest(path: "/r", mode: .persistentRecursive)), token: Script.token(1),
      watch: WatchRegistration(token: Script.watcher(3), serverPath: "/r", kind: .persistentRecursive), nowMs: 0)
    _ = session.received(Script.reply(xid: 1, .addWatch(ErrorResponse(err: .ok))), nowMs: 0)
    for _ in 0..<3 {
      #expect(fired(session.received(Script.event(.nodeDataChanged, "/r/x/y"), nowMs: 1)).count == 1)
    }
    #expect(fired(session.received(Script.event(.nodeChildrenChanged, "/r"), nowMs: 1)).isEmpty)
    #expect(fired(session.received(Script.event(.nodeCreated, "/rx"), nowMs: 1)).isEmpty)
  }

  @Test("event paths are given relative to the chroot")
  func chroot() {
    var session = session(chroot: "/app")
    _ = session.submit(
      .addWatch(AddWatchRequest(path: "/app", mode: .persistentRecursive)), token: Script.token(1),
      watch: WatchRegistration(token: Script.watcher(3), serverPath: "/app", kind: .persistentRecursive), nowMs: 0)
    _ = session.received(Script.reply(xid: 1, .addWatch(ErrorResponse(err: .ok))), nowMs: 0)
    let events = fired(session.received(Script.event(.nodeCreated, "/app/svc"), nowMs: 1))
    #expect(events.map(\.1.path) == ["/svc"])
  }

  @Test("when the session expires every watcher is told it ended")
  func endedOnExpiry() {
    var session = session()
    _ = session.submit(
      .exists(ExistsRequest(path: "/b", watch: true)), token: Script.token(1),
      watch: WatchRegistration(token: Script.watcher(2), serverPath: "/b", kind: .exist), nowMs: 0)
    _ = session.received(Script.reply(xid: 1, err: .noNode), nowMs: 0)
    _ = session.connectionClosed(nowMs: 1)
    _ = session.connectionEstablished(nowMs: 2)
    let actions = session.received(Frame.record(ConnectResponse.invalidSession(readOnly: false)), nowMs: 3)
    #expect(actions.contains(.watchersEnded([Script.watcher(2)], .sessionExpired)))
  }

  @Test("chroot maps paths both ways")
  func chrootMapping() throws {
    let chroot = try Chroot("/app")
    #expect(chroot.serverPath("/") == "/app")
    #expect(chroot.serverPath("/a") == "/app/a")
    #expect(chroot.clientPath("/app") == "/")
    #expect(chroot.clientPath("/app/a/b") == "/a/b")
    #expect(chroot.clientPath("/apple") == "/apple")
  }

  @Test("connect strings parse hosts, default ports and the chroot")
  func connectString() throws {
    let parsed = try ConnectString("a:1, b ,c:3/x/y")
    #expect(parsed.servers.map(\.description) == ["a:1", "b:2181", "c:3"])
    #expect(parsed.chroot.prefix == "/x/y")
    #expect(throws: ZooKeeperError.self) { try ConnectString("a:0") }
    #expect(throws: ZooKeeperError.self) { try ConnectString("/x") }
  }
}

@Suite("ClientSession: watch arming outcomes")
struct WatchArmingTests {
  @Test("a watch reply and its notification in one batch: the reply completes first, then the event is delivered")
  func replyAndEventInOneBatch() {
    var session = Script.connectedSession()
    _ = session.submit(
      .exists(ExistsRequest(path: "/p", watch: true)), token: Script.token(1),
      watch: WatchRegistration(token: Script.watcher(4), serverPath: "/p", kind: .exist), nowMs: 0)
    let actions = session.received(
      Script.reply(xid: 1, .exists(ExistsResponse(stat: Stat()))) + Script.event(.nodeDeleted, "/p"), nowMs: 1)
    guard actions.count == 2, case .complete(let token, let outcome) = actions[0], case .watch(let fired, _) = actions[1] else {
      Issue.record("unexpected actions \(actions)")
      return
    }
    #expect(token == Script.token(1))
    #expect(fired == [Script.watcher(4)])
    // The shell keeps the watcher's sink on this outcome, so the event that follows reaches it.
    #expect(ClientSession.armsWatch(.exist, outcome: outcome))
  }

  @Test("exists on a missing node arms; getData on a missing node does not")
  func armingByOutcome() {
    #expect(ClientSession.armsWatch(.exist, outcome: .failure(.server(.noNode, path: nil))))
    #expect(!ClientSession.armsWatch(.data, outcome: .failure(.server(.noNode, path: nil))))
    #expect(!ClientSession.armsWatch(.child, outcome: .failure(.connectionLoss)))
  }
}

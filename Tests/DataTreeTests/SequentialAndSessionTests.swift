@testable import DataTree
import Testing
import ZooKeeperWire

@Suite("Sequential names and sessions")
struct SequentialAndSessionTests {
  @Test("the sequential suffix is the parent's cversion at apply, %010d")
  func sequentialSuffix() {
    var h = Harness()
    h.create("/q")
    #expect(h.create("/q/n-", mode: .persistentSequential).createdPath == "/q/n-0000000000")
    #expect(h.create("/q/n-", mode: .ephemeralSequential).createdPath == "/q/n-0000000001")
    h.create("/q/plain")
    h.run(.delete(path: "/q/plain", version: -1))
    // The plain create and its delete both stepped cversion.
    #expect(h.create("/q/n-", mode: .persistentSequential).createdPath == "/q/n-0000000004")
    #expect(h.create("/q/", mode: .persistentSequential).createdPath == "/q/0000000005")
  }

  @Test("a negative cversion formats as Java's %010d does")
  func negativeSuffix() {
    let tree = DataTree()
    #expect(tree.sequenceSuffix(-5) == "-000000005")
    #expect(tree.sequenceSuffix(Int32.max) == "2147483647")
    #expect(tree.sequenceSuffix(42) == "0000000042")
  }

  @Test("createSession opens a session with its timeout and password; sessions are listed by id")
  func createSession() {
    var h = Harness(sessions: [])
    h.open(bob, timeoutMs: 4_000)
    h.open(alice, timeoutMs: 6_000)
    #expect(h.tree.sessions.map(\.id) == [alice, bob])
    #expect(h.tree.session(bob)?.timeoutMs == 4_000)
    #expect(h.tree.session(bob)?.password == [UInt8](repeating: 7, count: 16))
  }

  @Test("closeSession deletes the session's ephemerals in the same apply, in path order")
  func closeDeletesEphemerals() {
    var h = Harness()
    h.create("/p")
    h.create("/p/b", mode: .ephemeral)
    h.create("/p/a", mode: .ephemeral)
    h.create("/p/other", mode: .ephemeral, session: bob)
    #expect(h.tree.getEphemerals(session: alice, prefix: "/") == ["/p/a", "/p/b"])
    let result = h.run(.closeSession(alice), session: alice)
    #expect(result.reply == .sessionClosed(alice))
    #expect(result.changes == [.nodeDeleted(path: "/p/a"), .nodeDeleted(path: "/p/b")])
    #expect(h.stat("/p/a") == nil && h.stat("/p/b") == nil && h.stat("/p/other") != nil)
    #expect(h.stat("/p")?.pzxid == Zxid(h.zxid))
    #expect(h.tree.session(alice) == nil)
  }

  @Test("closing an unknown session is OK and changes nothing")
  func closeUnknown() {
    var h = Harness()
    let before = h.tree.digest()
    #expect(h.run(.closeSession(SessionID(5)), session: .none).reply == .sessionClosed(SessionID(5)))
    #expect(h.tree.digest() == before)
  }

  @Test("getEphemerals filters by prefix")
  func ephemeralsByPrefix() {
    var h = Harness()
    h.create("/x")
    h.create("/y")
    h.create("/x/1", mode: .ephemeral)
    h.create("/y/1", mode: .ephemeral)
    #expect(h.tree.getEphemerals(session: alice, prefix: "/x") == ["/x/1"])
    #expect(h.tree.getEphemerals(session: alice, prefix: "") == ["/x/1", "/y/1"])
    #expect(h.tree.getEphemerals(session: bob, prefix: "/") == [])
  }

  @Test("a command repeating an applied xid of its session is a duplicate and changes nothing")
  func duplicateXid() {
    var h = Harness()
    #expect(h.run(.create(CreateOperation(path: "/a")), xid: Xid(5)).reply.createdPath == "/a")
    let before = h.tree.digest()
    #expect(h.run(.create(CreateOperation(path: "/b")), xid: Xid(5)).reply == .duplicate)
    #expect(h.run(.create(CreateOperation(path: "/b")), xid: Xid(4)).reply == .duplicate)
    #expect(h.tree.digest() == before)
    #expect(h.run(.create(CreateOperation(path: "/b")), xid: Xid(6)).reply.createdPath == "/b")
  }

  @Test("a new connection restarting its xids (as kazoo does) is not a duplicate")
  func newConnection() {
    var h = Harness()
    h.run(.create(CreateOperation(path: "/a")), connection: 1, xid: Xid(40))
    #expect(h.run(.create(CreateOperation(path: "/b")), connection: 2, xid: Xid(1)).reply.createdPath == "/b")
    #expect(h.run(.create(CreateOperation(path: "/c")), connection: 2, xid: Xid(1)).reply == .duplicate)
  }

  @Test("xids wrapping from Int32.max to 1 are not duplicates")
  func xidWrap() {
    var h = Harness()
    h.run(.create(CreateOperation(path: "/a")), xid: Xid(Int32.max))
    #expect(h.run(.create(CreateOperation(path: "/b")), xid: Xid(1)).reply.createdPath == "/b")
  }
}

@Suite("Path order")
struct PathOrderTests {
  @Test("paths sort by UTF-8 bytes, parents before descendants")
  func byteOrder() {
    let paths = ["/a/b", "/a-b", "/a", "/", "/ü", "/z", "/a/b/c", "/ab"]
    #expect(paths.sorted(by: PathRules.precedes) == ["/", "/a", "/a-b", "/a/b", "/a/b/c", "/ab", "/z", "/ü"])
    #expect(!PathRules.precedes("/a", "/a"))
  }
}

@Suite("Paths are compared by bytes, as ZooKeeper's Java strings")
struct PathBytesTests {
  @Test("canonically equivalent spellings are two different znodes")
  func canonicalEquivalents() {
    var h = Harness()
    let precomposed = "/caf\u{E9}"
    let decomposed = "/cafe\u{301}"
    #expect(precomposed == decomposed)  // Swift's String equality, which the tree must not use
    #expect(h.create(precomposed, "1").createdPath == precomposed)
    #expect(h.create(decomposed, "2").createdPath == decomposed)
    #expect(h.tree.getData(precomposed, ids: []).map(\.data) == .success(Array("1".utf8)))
    #expect(h.tree.getData(decomposed, ids: []).map(\.data) == .success(Array("2".utf8)))
    #expect(h.stat("/")?.numChildren == 3)
    var watches = WatchRegistry()
    watches.addDataWatch(precomposed, watcher: w1)
    #expect(watches.trigger([.nodeDataChanged(path: decomposed)]).isEmpty)
  }
}

@Suite("getEphemerals prefixes")
struct EphemeralPrefixTests {
  @Test("a blank or / prefix lists all; other prefixes match bytes, not path components")
  func prefixes() {
    var h = Harness()
    h.create("/app")
    h.create("/apple", mode: .ephemeral)
    h.create("/app/e", mode: .ephemeral)
    #expect(h.tree.getEphemerals(session: alice, prefix: "  ") == ["/app/e", "/apple"])
    #expect(h.tree.getEphemerals(session: alice, prefix: " / ") == ["/app/e", "/apple"])
    #expect(h.tree.getEphemerals(session: alice, prefix: "/app") == ["/app/e", "/apple"])
    #expect(h.tree.getEphemerals(session: alice, prefix: "/app/") == ["/app/e"])
  }
}

@Suite("Session ids")
struct SessionIdTests {
  @Test("a session id that ephemeralOwner cannot represent is refused", arguments: [0, Int64.min, Int64(bitPattern: 0xFF00_0000_0000_0001)])
  func unrepresentable(raw: Int64) {
    var h = Harness(extendedTypes: true, sessions: [])
    #expect(h.open(SessionID(raw)).reply == .failed(.badArguments))
    #expect(h.tree.sessions.isEmpty)
  }

  @Test("session ids with the top bit set are fine when they do not collide")
  func highBit() {
    var h = Harness(sessions: [])
    let id = SessionID(Int64(bitPattern: 0x8100_0000_0000_0001))
    #expect(h.open(id).reply == .sessionCreated(id))
    #expect(h.create("/e", mode: .ephemeral, session: id).stat?.ephemeralOwner == id.rawValue)
  }
}

import DataTree
import Testing
import ZooKeeperWire

@Suite("multi is atomic with ZooKeeper's result layout")
struct MultiTests {
  @Test("a successful multi applies every op under one zxid and returns per-op results")
  func success() {
    var h = Harness()
    h.create("/a", "v0")
    let result = h.run(.multi([
      .create(CreateOperation(path: "/m1")),
      .create(CreateOperation(path: "/m2", mode: .persistentSequential)),
      .setData(path: "/a", data: Array("v1".utf8), version: 0),
      .check(path: "/a", version: 1),
      .delete(path: "/m1", version: 0),
    ]))
    guard case .multi(let results) = result.reply else { Issue.record("not a multi reply"); return }
    #expect(results.count == 5)
    #expect(results[0] == .created(path: "/m1", stat: results[0].createdStat!))
    #expect(results[1].createdStat?.czxid == Zxid(h.zxid))
    if case .created(let path, _) = results[1] { #expect(path == "/m20000000002") }
    #expect(results[2] == .dataSet(h.stat("/a")!))
    #expect(results[3] == .checked)
    #expect(results[4] == .deleted)
    #expect(h.stat("/m1") == nil && h.stat("/m20000000002") != nil)
    #expect(result.changes == [
      .nodeCreated(path: "/m1"), .nodeCreated(path: "/m20000000002"), .nodeDataChanged(path: "/a"),
      .nodeDeleted(path: "/m1"),
    ])
  }

  @Test("a failing op rolls everything back: OK before, its code, RUNTIMEINCONSISTENCY after")
  func failureLayout() {
    var h = Harness()
    h.create("/a", "v0")
    h.create("/p")
    h.create("/p/kid")
    let before = h.tree.digest()
    let result = h.run(.multi([
      .create(CreateOperation(path: "/new")),
      .setData(path: "/a", data: [1], version: -1),
      .delete(path: "/p/kid", version: -1),
      .check(path: "/a", version: 0),  // fails: the setData above made it 1
      .create(CreateOperation(path: "/later")),
    ]))
    #expect(result.reply == .multi([.error(.ok), .error(.ok), .error(.ok), .error(.badVersion), .error(.runtimeInconsistency)]))
    #expect(result.reply.errorCode == .ok)
    #expect(result.changes.isEmpty)
    #expect(h.tree.digest() == before)
    #expect(h.stat("/p")?.numChildren == 1)
  }

  @Test("ops in a multi see the effects of earlier ops")
  func seesEarlierOps() {
    var h = Harness()
    let result = h.run(.multi([.create(CreateOperation(path: "/x")), .create(CreateOperation(path: "/x/y"))]))
    guard case .multi(let results) = result.reply else { Issue.record("not a multi reply"); return }
    #expect(results.allSatisfy { $0.createdStat != nil })
    #expect(h.stat("/x")?.numChildren == 1)
  }

  @Test("a rolled-back multi leaves the sequential counter as it was")
  func rollbackRestoresCversion() {
    var h = Harness()
    h.create("/q")
    h.run(.multi([.create(CreateOperation(path: "/q/s-", mode: .persistentSequential)), .check(path: "/none", version: -1)]))
    #expect(h.create("/q/s-", mode: .persistentSequential).createdPath == "/q/s-0000000000")
  }

  @Test("an empty multi succeeds with no results")
  func empty() {
    var h = Harness()
    #expect(h.run(.multi([])).reply == .multi([]))
  }
}

extension MultiOutcome {
  var createdStat: Stat? {
    if case .created(_, let stat) = self { return stat }
    return nil
  }
}

@Suite("multi edge cases")
struct MultiEdgeTests {
  @Test("rolling back a delete restores a node whose ACL list lost its last user inside the multi")
  func aclSlotRollback() {
    var h = Harness()
    let unique = [ACL(perms: .all, id: Id(scheme: "ip", id: "10.0.0.1"))]
    h.create("/only", acl: unique)
    let before = h.tree.digest()
    let result = h.run(.multi([
      .delete(path: "/only", version: -1),
      .create(CreateOperation(path: "/other", acl: [ACL(perms: .read, id: .anyone)])),
      .create(CreateOperation(path: "/other")),
    ]))
    #expect(result.reply == .multi([.error(.ok), .error(.ok), .error(.nodeExists)]))
    #expect(h.tree.digest() == before)
    #expect(h.tree.getACL("/only", ids: [Id(scheme: "ip", id: "10.0.0.1")]).map(\.acl) == .success(unique))
  }

  @Test("watch events from a multi come in op order under its one zxid")
  func multiEvents() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/a")
    watches.addWatch("/", watcher: w1, mode: .persistentRecursive)
    watches.addChildWatch("/", watcher: w2)
    let result = h.run(.multi([
      .create(CreateOperation(path: "/b")), .setData(path: "/a", data: [1], version: -1), .delete(path: "/b", version: -1),
    ]))
    #expect(watches.trigger(result.changes) == [
      WatchEvent(watcher: w1, type: .nodeCreated, path: "/b"),
      WatchEvent(watcher: w2, type: .nodeChildrenChanged, path: "/"),
      WatchEvent(watcher: w1, type: .nodeDataChanged, path: "/a"),
      WatchEvent(watcher: w1, type: .nodeDeleted, path: "/b"),
    ])
  }

  @Test("closing a session fires NodeDeleted for each ephemeral and NodeChildrenChanged on parents")
  func closeSessionEvents() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/p")
    h.create("/p/e", mode: .ephemeral)
    watches.addDataWatch("/p/e", watcher: w1)
    watches.addChildWatch("/p", watcher: w2)
    let result = h.run(.closeSession(alice), session: alice)
    #expect(watches.trigger(result.changes) == [
      WatchEvent(watcher: w1, type: .nodeDeleted, path: "/p/e"),
      WatchEvent(watcher: w2, type: .nodeChildrenChanged, path: "/p"),
    ])
  }

  @Test("the reapers refuse each other's kind")
  func reaperKinds() {
    var h = Harness(extendedTypes: true)
    h.create("/c", mode: .container)
    h.create("/c/x")
    h.run(.delete(path: "/c/x", version: -1))
    h.create("/t", mode: .persistentWithTTL, ttlMs: 1)
    h.timeMs += 1_000
    #expect(h.run(.deleteExpiredTTL(path: "/c"), session: .none).reply == .failed(.badVersion))
    #expect(h.run(.deleteContainer(path: "/t"), session: .none).reply == .failed(.badVersion))
    #expect(h.run(.deleteContainer(path: "/c"), session: .none).reply == .deleted)
    #expect(h.run(.deleteExpiredTTL(path: "/t"), session: .none).reply == .deleted)
  }

  @Test("createSession for an open session keeps it as it is")
  func createSessionTwice() {
    var h = Harness()
    h.create("/e", mode: .ephemeral)
    h.run(.createSession(alice, password: [1], timeoutMs: 1), session: .none)
    #expect(h.tree.session(alice)?.timeoutMs == 30_000)
    #expect(h.tree.session(alice)?.ephemeralCount == 1)
  }
}

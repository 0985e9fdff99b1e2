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

import DataTree
import Testing
import ZooKeeperWire

@Suite("Containers, TTL nodes and reads")
struct ReapAndReadTests {
  @Test("a container shows owner 0 to clients, is kept as Int64.min, and is eligible once emptied after having a child")
  func containerEligibility() throws {
    var h = Harness()
    let stat = try #require(h.create("/c", mode: .container).stat)
    #expect(stat.ephemeralOwner == 0)
    #expect(h.tree.nodeKind(at: "/c") == .container)
    #expect(NodeKind.container.ephemeralOwner == Int64.min)
    #expect(h.tree.containersEligibleForDeletion() == [])
    h.create("/c/kid")
    #expect(h.tree.containersEligibleForDeletion() == [])
    h.run(.delete(path: "/c/kid", version: -1))
    #expect(h.tree.containersEligibleForDeletion() == ["/c"])
    let result = h.run(.deleteContainer(path: "/c"), session: .none)
    #expect(result.reply == .deleted && result.changes == [.nodeDeleted(path: "/c")])
    #expect(h.tree.containersEligibleForDeletion() == [])
  }

  @Test("deleteContainer re-checks at apply: a refilled container or a plain node stays")
  func containerRecheck() {
    var h = Harness()
    h.create("/c", mode: .container)
    h.create("/c/kid")
    #expect(h.run(.deleteContainer(path: "/c"), session: .none).reply == .failed(.notEmpty))
    h.create("/plain")
    #expect(h.run(.deleteContainer(path: "/plain"), session: .none).reply == .failed(.badVersion))
    h.create("/fresh", mode: .container)
    #expect(h.run(.deleteContainer(path: "/fresh"), session: .none).reply == .failed(.badVersion))
    #expect(h.run(.deleteContainer(path: "/zookeeper"), session: .none).reply == .failed(.badArguments))
  }

  @Test("a container may have children, unlike an ephemeral")
  func containerChildren() {
    var h = Harness()
    h.create("/c", mode: .container)
    #expect(h.create("/c/e", mode: .ephemeral).createdPath == "/c/e")
  }

  @Test("TTL nodes need extended types (UNIMPLEMENTED) and a TTL in 1...2^40-1 (BADARGUMENTS)")
  func ttlRules() {
    var plain = Harness()
    #expect(plain.create("/t", mode: .persistentWithTTL, ttlMs: 100) == .failed(.unimplemented))
    var h = Harness(extendedTypes: true)
    #expect(h.create("/t", mode: .persistentWithTTL, ttlMs: 0) == .failed(.badArguments))
    #expect(h.create("/t", mode: .persistentWithTTL, ttlMs: 1 << 40) == .failed(.badArguments))
    #expect(h.run(.create(CreateOperation(path: "/t", mode: .persistent, ttlMs: 5, opCode: .createTTL))).reply == .failed(.badArguments))
    guard let stat = h.create("/t", mode: .persistentWithTTL, ttlMs: 100).stat else {
      Issue.record("the TTL node was not created")
      return
    }
    #expect(stat.ephemeralOwner == 0, "clients see 0, as ZooKeeper's getClientEphemeralOwner")
    #expect(h.tree.nodeKind(at: "/t") == .ttl(ms: 100))
    #expect(UInt64(bitPattern: NodeKind.ttl(ms: 100).ephemeralOwner) == 0xFF00_0000_0000_0064)
    #expect(h.create("/t/s-", mode: .persistentSequentialWithTTL, ttlMs: 5).createdPath == "/t/s-0000000000")
  }

  @Test("a TTL node expires when empty and unmodified for longer than its TTL")
  func ttlExpiry() {
    var h = Harness(extendedTypes: true)
    h.create("/t", mode: .persistentWithTTL, ttlMs: 100)
    let mtime = h.stat("/t")!.mtime
    #expect(h.tree.expiredTTLNodes(nowMs: mtime + 100) == [])
    #expect(h.tree.expiredTTLNodes(nowMs: mtime + 101) == ["/t"])
    h.timeMs = mtime + 50
    #expect(h.run(.deleteExpiredTTL(path: "/t"), session: .none).reply == .failed(.badVersion))
    h.timeMs = mtime + 500
    #expect(h.run(.deleteExpiredTTL(path: "/t"), session: .none).reply == .deleted)
  }

  @Test("getChildren lists names sorted by bytes with the parent's Stat")
  func children() {
    var h = Harness()
    h.create("/p")
    for name in ["b", "a", "c10", "c9"] { h.create("/p/" + name) }
    let children = try! h.tree.getChildren("/p", ids: []).get()
    #expect(children.names == ["a", "b", "c10", "c9"])
    #expect(children.stat == h.stat("/p"))
    #expect(h.tree.getChildren("/nope", ids: []) == .failure(.noNode))
  }

  @Test("getData returns the bytes and Stat; NONODE when absent")
  func data() {
    var h = Harness()
    h.create("/d", "payload")
    #expect(h.tree.getData("/d", ids: []) == .success(NodeData(data: Array("payload".utf8), stat: h.stat("/d")!)))
    #expect(h.tree.getData("/none", ids: []) == .failure(.noNode))
  }

  @Test("getAllChildrenNumber counts descendants; for / every node but the root")
  func allChildrenNumber() {
    var h = Harness()
    h.create("/a")
    h.create("/a/b")
    h.create("/a/b/c")
    #expect(h.tree.getAllChildrenNumber("/a", ids: []) == .success(2))
    #expect(h.tree.getAllChildrenNumber("/", ids: []) == .success(6))
    #expect(h.tree.getAllChildrenNumber("/x", ids: []) == .failure(.noNode))
  }
}

@Suite("exists as ZooKeeper answers it")
struct ExistsTests {
  @Test("statNode: BADARGUMENTS for a NUL, NONODE when absent, the Stat otherwise; no ACL check")
  func statNode() {
    var h = Harness()
    h.create("/closed", acl: [ACL(perms: [], id: .anyone)])
    #expect(h.tree.statNode("/a\u{0}b") == .failure(.badArguments))
    #expect(h.tree.statNode("/none") == .failure(.noNode))
    #expect(h.tree.statNode("/closed") == .success(h.stat("/closed")!))
  }
}

@Suite("The create op code decides the node kind, as ZooKeeper's transaction types")
struct CreateOpCodeTests {
  @Test("createContainer makes a container; create with the container flag a persistent node")
  func containerByOpCode() {
    var h = Harness()
    let viaOp = h.run(.create(CreateOperation(path: "/c1", flags: CreateMode.container.rawValue, opCode: .createContainer))).reply
    #expect(viaOp.stat?.ephemeralOwner == 0)
    #expect(h.tree.nodeKind(at: "/c1") == .container)
    let viaFlag = h.run(.create(CreateOperation(path: "/c2", flags: CreateMode.container.rawValue, opCode: .create2))).reply
    #expect(viaFlag.stat?.ephemeralOwner == 0)
  }

  @Test("a TTL flag without createTTL is BADARGUMENTS (no TTL); createTTL without a TTL flag too")
  func ttlByOpCode() {
    var h = Harness(extendedTypes: true)
    let plain = h.run(.create(CreateOperation(path: "/t", flags: CreateMode.persistentWithTTL.rawValue, ttlMs: 100, opCode: .create)))
    #expect(plain.reply == .failed(.badArguments))
    let mismatched = h.run(.create(CreateOperation(path: "/t", flags: CreateMode.persistent.rawValue, ttlMs: -1, opCode: .createTTL)))
    #expect(mismatched.reply == .failed(.badArguments))
  }
}

@Suite("Figures for mntr")
struct FigureTests {
  @Test("approximateDataSize is path bytes plus data bytes over all nodes, through every change")
  func dataSize() {
    var h = Harness()
    let base = h.tree.approximateDataSize
    #expect(base == "/".count + "/zookeeper".count + "/zookeeper/quota".count + "/zookeeper/config".count)
    h.create("/ab", "12345")
    #expect(h.tree.approximateDataSize == base + 3 + 5)
    h.run(.setData(path: "/ab", data: [1], version: -1))
    #expect(h.tree.approximateDataSize == base + 3 + 1)
    h.run(.multi([.setData(path: "/ab", data: [1, 2, 3], version: -1), .check(path: "/none", version: -1)]))
    #expect(h.tree.approximateDataSize == base + 3 + 1)
    h.create("/e", mode: .ephemeral)
    #expect(h.tree.ephemeralCount == 1)
    h.run(.delete(path: "/ab", version: -1))
    h.run(.closeSession(alice), session: alice)
    #expect(h.tree.approximateDataSize == base)
    #expect(h.tree.ephemeralCount == 0)
  }
}

@Suite("reconfig")
struct ReconfigTests {
  @Test("reconfig replaces /zookeeper/config's data with version -1 and fires NodeDataChanged")
  func leaderReconfig() {
    var h = Harness()
    let data = Array("server.1=127.0.0.1:2888:3888:participant;2181\nversion=100000000".utf8)
    let result = h.run(.reconfig(data: data), session: .none)
    #expect(result.changes == [.nodeDataChanged(path: "/zookeeper/config")])
    let stat = h.stat("/zookeeper/config")!
    #expect(stat.version == -1 && stat.mzxid == Zxid(h.zxid) && stat.mtime == h.timeMs)
    #expect(result.reply == .dataSet(stat))
    #expect(h.tree.getData("/zookeeper/config", ids: []).map(\.data) == .success(data))
  }

  @Test("a client's reconfig needs WRITE on /zookeeper/config (super has it)")
  func clientReconfig() {
    var h = Harness()
    #expect(h.run(.reconfig(data: [1])).reply == .failed(.noAuth))
    #expect(h.run(.reconfig(data: [1]), ids: [Authorization.superId]).reply.stat != nil)
  }
}

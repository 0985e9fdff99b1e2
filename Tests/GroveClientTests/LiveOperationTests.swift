import GroveClient
import Testing
import ZooKeeperWire

@Suite("GroveClient against a live server: operations", .enabled(if: LiveServer.available), .timeLimit(.minutes(1)))
struct LiveOperationTests {
  @Test("create, getData, setData, exists, getChildren and delete behave as ZooKeeper")
  func basics() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("basics")
      let created = try await client.create(root, data: Array("hello".utf8))
      #expect(created.path == root)
      let node = try await client.getData(root)
      #expect(node.data == Array("hello".utf8))
      #expect(node.stat.version == 0)
      let stat = try await client.setData(root, data: [1, 2], version: 0)
      #expect(stat.version == 1)
      await #expect(throws: ZooKeeperError.server(.badVersion, path: root)) {
        try await client.setData(root, data: [3], version: 0)
      }
      await #expect(throws: ZooKeeperError.server(.nodeExists, path: root)) { try await client.create(root) }
      try await client.create(root + "/b")
      try await client.create(root + "/a")
      #expect(try await client.getChildren(root).children == ["a", "b"])
      #expect(try await client.getAllChildrenNumber(root) == 2)
      await #expect(throws: ZooKeeperError.server(.notEmpty, path: root)) { try await client.delete(root) }
      try await client.deleteRecursively(root)
      #expect(try await client.exists(root) == nil)
      await #expect(throws: ZooKeeperError.server(.noNode, path: root)) { try await client.getData(root) }
    }
  }

  @Test("every create mode: ephemeral, sequential, container and TTL")
  func createModes() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("modes")
      try await client.create(root)
      let e = try await client.create(root + "/e", mode: .ephemeral)
      #expect(e.stat.ephemeralOwner != 0)
      let s1 = try await client.create(root + "/s-", mode: .persistentSequential)
      let s2 = try await client.create(root + "/s-", mode: .ephemeralSequential)
      #expect(s1.path == root + "/s-0000000001")
      #expect(s2.path == root + "/s-0000000002")
      try await client.create(root + "/c", mode: .container)
      // As ZooKeeper's DataTree.copyStat: clients see ephemeralOwner 0 for containers and TTL nodes.
      #expect(try await client.exists(root + "/c")?.ephemeralOwner == 0)
      try await client.create(root + "/t", mode: .persistentWithTTL, ttlMs: 60_000)
      #expect(try await client.exists(root + "/t")?.ephemeralOwner == 0)
      #expect(try await client.getEphemerals(prefix: root) == [root + "/e", s2.path].sorted())
      try await client.deleteRecursively(root)
    }
  }

  @Test("invalid paths and oversize data are rejected before sending")
  func rejectedBeforeSending() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      await #expect(throws: ZooKeeperError.self) { try await client.create("no-slash") }
      await #expect(throws: ZooKeeperError.self) { try await client.getData("/a/") }
      await #expect(throws: ZooKeeperError.self) { try await client.getData("/a/../b") }
      do {
        try await client.create(uniqueRoot("big"), data: [UInt8](repeating: 0, count: 2 << 20))
        Issue.record("oversize create was sent")
      } catch {
        guard case ZooKeeperError.requestTooLarge = error else { throw error }
      }
      // The session is unharmed.
      #expect(try await client.exists("/") != nil)
    }
  }

  @Test("a transaction applies all or nothing and names the failing operation")
  func transaction() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("multi")
      let results = try await client.transaction()
        .create(root).create(root + "/x", data: [1]).setData(root + "/x", data: [2]).check(root, version: 0)
        .commit()
      #expect(results.count == 4)
      do {
        try await client.transaction().create(root + "/y").delete(root + "/missing").commit()
        Issue.record("failing transaction committed")
      } catch {
        #expect(error as? ZooKeeperError == .server(.noNode, path: root + "/missing"))
      }
      #expect(try await client.exists(root + "/y") == nil)
      let reads = try await client.multiRead([.getData(root + "/x"), .getChildren(root), .getData(root + "/nope")])
      #expect(reads.count == 3)
      if case .data(let d, _) = reads[0] { #expect(d == [2]) } else { Issue.record("\(reads[0])") }
      #expect(reads[1] == .children(["x"]))
      #expect(reads[2] == .failed(.noNode))
      try await client.deleteRecursively(root)
    }
  }

  @Test("many requests in flight on one session complete, in order")
  func pipelined() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("pipe")
      try await client.create(root)
      try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<200 {
          group.addTask { try await client.create("\(root)/n\(i)", data: [UInt8(i % 256)]) }
        }
        try await group.waitForAll()
      }
      #expect(try await client.getAllChildrenNumber(root) == 200)
      try await client.deleteRecursively(root)
    }
  }

  @Test("chroot: paths are relative to it both ways")
  func chroot() async throws {
    let base = try await LiveServer.connectString()
    let root = uniqueRoot("chroot")
    _ = try await withClient(base) { try await $0.create(root) }
    try await withClient(base + root) { client in
      let made = try await client.create("/seq-", mode: .persistentSequential)
      #expect(made.path == "/seq-0000000000")
      #expect(try await client.getChildren("/").children == ["seq-0000000000"])
    }
    try await withClient(base) { client in
      #expect(try await client.exists(root + "/seq-0000000000") != nil)
      try await client.deleteRecursively(root)
    }
  }

  @Test("addAuth with digest credentials, and whoAmI reports them")
  func auth() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      try await client.addAuth(scheme: "digest", auth: Array("alice:secret".utf8))
      let who = try await client.whoAmI()
      #expect(who.contains { $0.authScheme == "digest" && $0.user == "alice" })
      let root = uniqueRoot("acl")
      try await client.create(root, acl: ACL.creatorAll)
      #expect(try await client.getACL(root).acl.first?.id.scheme == "digest")
      try await client.delete(root)
    }
  }
}

import GroveClient
import Testing
import ZooKeeperWire

@Suite("GroveClient against a live server: watches and caches", .enabled(if: LiveServer.available), .timeLimit(.minutes(1)))
struct LiveWatchTests {
  @Test("a one-shot data watch fires once for two changes")
  func oneShotFiresOnce() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("oneshot")
      try await client.create(root, data: [0])
      let node = try await client.getData(root, watch: true)
      let watch = try #require(node.watch)
      try await client.setData(root, data: [1])
      try await client.setData(root, data: [2])
      let event = try await within(5) { try await watch.event() }
      #expect(event == WatchedEvent(type: .nodeDataChanged, path: root, zxid: event.zxid))
      // A second watch set now sees only later changes; the first stays fired once.
      let (_, again) = try await client.watchExists(root)
      try await client.delete(root)
      #expect(try await within(5) { try await again.event() }.type == .nodeDeleted)
      #expect(try await watch.event().type == .nodeDataChanged)
    }
  }

  @Test("exists arms a watch on a missing node that fires on its creation; child watches fire on child changes")
  func existAndChildWatches() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("exist")
      let (stat, created) = try await client.watchExists(root)
      #expect(stat == nil)
      try await client.create(root)
      #expect(try await within(5) { try await created.event() }.type == .nodeCreated)
      let children = try await client.getChildren(root, watch: true)
      try await client.create(root + "/c")
      #expect(try await within(5) { try await children.watch!.event() }.type == .nodeChildrenChanged)
      try await client.deleteRecursively(root)
    }
  }

  @Test("a persistent recursive watch fires for every change in the subtree, and stops after removal")
  func persistentRecursive() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("persist")
      try await client.create(root)
      let watch = try await client.watch(root, recursive: true)
      try await client.create(root + "/a")
      try await client.setData(root + "/a", data: [1])
      try await client.setData(root + "/a", data: [2])
      try await client.delete(root + "/a")
      let events = try await within(5) {
        var seen: [WatchedEvent] = []
        for try await event in watch {
          seen.append(event)
          if seen.count == 4 { break }
        }
        return seen.map { "\($0.type) \($0.path)" }
      }
      #expect(events == [
        "nodeCreated \(root)/a", "nodeDataChanged \(root)/a", "nodeDataChanged \(root)/a", "nodeDeleted \(root)/a",
      ])
      try await client.deleteRecursively(root)
    }
  }

  @Test("a tree cache converges after a burst of changes from another session")
  func treeCacheConverges() async throws {
    let server = try await LiveServer.connectString()
    try await withClient(server) { client in
      let root = uniqueRoot("tree")
      try await client.create(root)
      try await client.create(root + "/pre", data: [9])
      let cache = try await TreeCache.start(client: client, path: root)
      #expect(cache.nodes[root + "/pre"]?.data == [9])
      try await withClient(server) { writer in
        for i in 0..<30 {
          try await writer.createRecursively("\(root)/d\(i % 5)/n\(i)", data: [UInt8(i)])
          if i % 3 == 0 { try await writer.setData("\(root)/d\(i % 5)/n\(i)", data: [UInt8(i), 1]) }
        }
        try await writer.deleteRecursively(root + "/d0")
        try await writer.delete(root + "/pre")
      }
      let expected = Set(
        [root] + (1..<5).map { "\(root)/d\($0)" } + (0..<30).filter { $0 % 5 != 0 }.map { "\(root)/d\($0 % 5)/n\($0)" })
      let converged = try await within(10) {
        for await nodes in cache.snapshots() where Set(nodes.keys) == expected {
          return nodes
        }
        return [:]
      }
      #expect(converged["\(root)/d1/n6"]?.data == [6, 1])
      #expect(converged["\(root)/d2/n7"]?.data == [7])
      cache.stop()
      try await client.deleteRecursively(root)
    }
  }

  @Test("a node cache follows creation, changes and deletion of its node")
  func nodeCache() async throws {
    try await withClient(try await LiveServer.connectString()) { client in
      let root = uniqueRoot("node")
      let cache = try await NodeCache.start(client: client, path: root)
      #expect(cache.node == nil)
      try await client.create(root, data: [1])
      try await client.setData(root, data: [2])
      let seen = try await within(5) {
        for await node in cache.snapshots() where node?.data == [2] { return true }
        return false
      }
      #expect(seen)
      try await client.delete(root)
      let gone = try await within(5) {
        for await node in cache.snapshots() where node == nil { return true }
        return false
      }
      #expect(gone)
      cache.stop()
    }
  }
}

import DataTree
import Testing
import ZooKeeperWire

let w1 = WatcherID(1)
let w2 = WatcherID(2)

@Suite("Watches fire as ZooKeeper's do")
struct WatchTests {
  @Test("a data watch fires NodeDataChanged once, then is gone")
  func dataWatchOneShot() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/a")
    watches.addDataWatch("/a", watcher: w1)
    watches.addDataWatch("/a", watcher: w1)
    let first = watches.trigger(h.run(.setData(path: "/a", data: [1], version: -1)).changes)
    #expect(first == [WatchEvent(watcher: w1, type: .nodeDataChanged, path: "/a")])
    #expect(watches.trigger(h.run(.setData(path: "/a", data: [2], version: -1)).changes).isEmpty)
  }

  @Test("an exist watch on a missing node fires NodeCreated")
  func existWatch() {
    var h = Harness()
    var watches = WatchRegistry()
    watches.addDataWatch("/later", watcher: w1)
    let events = watches.trigger(h.run(.create(CreateOperation(path: "/later"))).changes)
    #expect(events == [WatchEvent(watcher: w1, type: .nodeCreated, path: "/later")])
  }

  @Test("a child watch fires NodeChildrenChanged on child create and delete")
  func childWatch() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/p")
    watches.addChildWatch("/p", watcher: w1)
    #expect(watches.trigger(h.run(.create(CreateOperation(path: "/p/c"))).changes)
      == [WatchEvent(watcher: w1, type: .nodeChildrenChanged, path: "/p")])
    watches.addChildWatch("/p", watcher: w1)
    #expect(watches.trigger(h.run(.delete(path: "/p/c", version: -1)).changes)
      == [WatchEvent(watcher: w1, type: .nodeChildrenChanged, path: "/p")])
  }

  @Test("deleting a node fires one NodeDeleted to a watcher holding both data and child watches")
  func deleteFiresOnce() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/a")
    watches.addDataWatch("/a", watcher: w1)
    watches.addChildWatch("/a", watcher: w1)
    watches.addChildWatch("/a", watcher: w2)
    let events = watches.trigger(h.run(.delete(path: "/a", version: -1)).changes)
    #expect(events == [
      WatchEvent(watcher: w1, type: .nodeDeleted, path: "/a"),
      WatchEvent(watcher: w2, type: .nodeDeleted, path: "/a"),
    ])
    #expect(watches.watchCount == 0)
    watches.checkInvariants()
  }

  @Test("a persistent watch fires every time, child changes included")
  func persistent() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/a")
    watches.addWatch("/a", watcher: w1, mode: .persistent)
    var events = watches.trigger(h.run(.setData(path: "/a", data: [1], version: -1)).changes)
    events += watches.trigger(h.run(.setData(path: "/a", data: [2], version: -1)).changes)
    events += watches.trigger(h.run(.create(CreateOperation(path: "/a/c"))).changes)
    events += watches.trigger(h.run(.setData(path: "/a/c", data: [2], version: -1)).changes)
    #expect(events.map(\.type) == [.nodeDataChanged, .nodeDataChanged, .nodeChildrenChanged])
  }

  @Test("a recursive watch fires for descendants but never NodeChildrenChanged")
  func recursive() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/r")
    watches.addWatch("/r", watcher: w1, mode: .persistentRecursive)
    var events = watches.trigger(h.run(.create(CreateOperation(path: "/r/a"))).changes)
    events += watches.trigger(h.run(.create(CreateOperation(path: "/r/a/b"))).changes)
    events += watches.trigger(h.run(.setData(path: "/r/a/b", data: [1], version: -1)).changes)
    events += watches.trigger(h.run(.delete(path: "/r/a/b", version: -1)).changes)
    events += watches.trigger(h.run(.create(CreateOperation(path: "/elsewhere"))).changes)
    #expect(events == [
      WatchEvent(watcher: w1, type: .nodeCreated, path: "/r/a"),
      WatchEvent(watcher: w1, type: .nodeCreated, path: "/r/a/b"),
      WatchEvent(watcher: w1, type: .nodeDataChanged, path: "/r/a/b"),
      WatchEvent(watcher: w1, type: .nodeDeleted, path: "/r/a/b"),
    ])
  }

  @Test("removeWatches removes by type and reports NOWATCHER as false")
  func removeByType() {
    var watches = WatchRegistry()
    watches.addDataWatch("/a", watcher: w1)
    watches.addChildWatch("/a", watcher: w1)
    watches.addWatch("/a", watcher: w1, mode: .persistentRecursive)
    #expect(watches.contains("/a", type: .children, watcher: w1))
    let r1 = watches.remove("/a", type: .children, watcher: w1)
    #expect(r1)
    let r2 = watches.remove("/a", type: .children, watcher: w1)
    #expect(!r2)
    #expect(!watches.contains("/a", type: .persistent, watcher: w1))
    let r3 = watches.remove("/a", type: .persistentRecursive, watcher: w1)
    #expect(r3)
    #expect(watches.contains("/a", type: .data, watcher: w1))
    let r4 = watches.remove("/a", type: .any, watcher: w1)
    #expect(r4)
    #expect(!watches.contains("/a", type: .any, watcher: w1))
    let r5 = watches.remove("/a", type: .any, watcher: w2)
    #expect(!r5)
  }

  @Test("removeAll forgets every watch of a watcher and no other")
  func removeAll() {
    var h = Harness()
    var watches = WatchRegistry()
    watches.addDataWatch("/x", watcher: w1)
    watches.addWatch("/", watcher: w1, mode: .persistentRecursive)
    watches.addDataWatch("/x", watcher: w2)
    watches.removeAll(watcher: w1)
    #expect(watches.watchers == [w2])
    #expect(watches.trigger(h.run(.create(CreateOperation(path: "/x"))).changes)
      == [WatchEvent(watcher: w2, type: .nodeCreated, path: "/x")])
  }

  @Test("setWatches replays what changed after relativeZxid and re-arms the rest")
  func replay() {
    var h = Harness()
    var watches = WatchRegistry()
    h.create("/same")
    h.create("/changed")
    h.create("/kids")
    let seen = Zxid(h.zxid)
    h.run(.setData(path: "/changed", data: [1], version: -1))
    h.create("/kids/k")
    h.create("/born")
    let events = watches.setWatches(
      relativeZxid: seen, dataWatches: ["/same", "/changed", "/gone"], existWatches: ["/born", "/absent"],
      childWatches: ["/kids", "/same", "/gone"], persistentWatches: ["/p"], persistentRecursiveWatches: ["/r"],
      watcher: w1, tree: h.tree)
    #expect(events == [
      WatchEvent(watcher: w1, type: .nodeDataChanged, path: "/changed"),
      WatchEvent(watcher: w1, type: .nodeDeleted, path: "/gone"),
      WatchEvent(watcher: w1, type: .nodeCreated, path: "/born"),
      WatchEvent(watcher: w1, type: .nodeChildrenChanged, path: "/kids"),
      WatchEvent(watcher: w1, type: .nodeDeleted, path: "/gone"),
    ])
    #expect(watches.contains("/same", type: .data, watcher: w1))
    #expect(watches.contains("/absent", type: .data, watcher: w1))
    #expect(watches.contains("/same", type: .children, watcher: w1))
    #expect(watches.contains("/p", type: .persistent, watcher: w1))
    #expect(watches.contains("/r", type: .persistentRecursive, watcher: w1))
    #expect(!watches.contains("/changed", type: .data, watcher: w1))
    watches.checkInvariants()
  }
}

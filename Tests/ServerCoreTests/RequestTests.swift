import DataTree
import RaftCore
import ServerCore
import Testing
import ZooKeeperWire

@Suite("requests: replies, ordering, watches")
struct RequestTests {
  @Test("create, getData, setData, delete answer with ZooKeeper's records and rising zxids")
  func crud() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    let created = h.call(c, xid: 1, .create2(CreateRequest(path: "/a", data: Array("v1".utf8), acl: ACL.openUnsafe, mode: .persistent)))
    #expect(created.count == 1 && created[0].header.err == .ok)
    let c2 = created[0].body(Create2Response.self)
    #expect(c2.path == "/a" && c2.stat.dataLength == 2)
    #expect(created[0].header.zxid == c2.stat.czxid)
    let got = h.call(c, xid: 2, .getData(GetDataRequest(path: "/a")))
    #expect(got[0].body(GetDataResponse.self).data == Array("v1".utf8))
    let set = h.call(c, xid: 3, .setData(SetDataRequest(path: "/a", data: Array("v2".utf8), version: 0)))
    let stat = set[0].body(SetDataResponse.self).stat
    #expect(stat.version == 1 && stat.mzxid > c2.stat.mzxid)
    let stale = h.call(c, xid: 4, .setData(SetDataRequest(path: "/a", data: [], version: 0)))
    #expect(stale[0].header.err == .badVersion)
    let plain = h.call(c, xid: 5, .create(CreateRequest(path: "/a/b", data: [], acl: ACL.openUnsafe, mode: .persistentSequential)))
    #expect(plain[0].body(CreateResponse.self).path == "/a/b0000000000")
    let notEmpty = h.call(c, xid: 6, .delete(DeleteRequest(path: "/a")))
    #expect(notEmpty[0].header.err == .notEmpty)
    #expect(h.call(c, xid: 7, .delete(DeleteRequest(path: "/a/b0000000000")))[0].header.err == .ok)
    #expect(h.call(c, xid: 8, .delete(DeleteRequest(path: "/a")))[0].header.err == .ok)
    #expect(h.call(c, xid: 9, .exists(ExistsRequest(path: "/a")))[0].header.err == .noNode)
  }

  @Test("a read queued behind a write waits for it and sees it; replies leave in request order")
  func fifoPerSession() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    h.autoPersist = false
    h.request(c, xid: 1, .create(CreateRequest(path: "/x", data: Array("1".utf8), acl: ACL.openUnsafe, mode: .persistent)))
    h.request(c, xid: 2, .getData(GetDataRequest(path: "/x")))
    h.request(c, xid: -2, .ping)
    #expect(h.takeReplies(c).isEmpty, "nothing is answered before the write is durable")
    h.autoPersist = true
    h.makeDurable()
    let replies = h.takeReplies(c)
    #expect(replies.map(\.header.xid) == [Xid(1), Xid(2), Xid(-2)])
    #expect(replies[1].header.err == .ok)
    #expect(replies[1].body(GetDataResponse.self).data == Array("1".utf8))
  }

  @Test("commands batched in one entry get distinct, rising zxids")
  func batchedZxids() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    var bytes: [UInt8] = []
    for i in 0..<5 {
      bytes += Frame.request(xid: Xid(Int32(i + 1)), .create2(CreateRequest(path: "/n\(i)", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    }
    h.send(c, bytes)
    let zxids = h.takeReplies(c).map(\.header.zxid)
    #expect(zxids.count == 5)
    #expect(zxids == zxids.sorted() && Set(zxids).count == 5)
  }

  @Test("snapshots come after snapCount transactions, however many share an entry")
  func snapshotsCountTransactions() {
    var h = NodeHarness()
    h.node.snapshotTransactions = 10
    let (c, _) = h.openSession()
    var bytes: [UInt8] = []
    for i in 0..<9 {
      bytes += Frame.request(xid: Xid(Int32(i + 1)), .create2(CreateRequest(path: "/s\(i)", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    }
    h.send(c, bytes)
    #expect(h.takeReplies(c).count == 9)
    // createSession and 9 creates: 10 transactions in two entries.
    #expect(h.snapshots.count == 1)
    bytes = []
    for i in 9..<18 {
      bytes += Frame.request(xid: Xid(Int32(i + 1)), .create2(CreateRequest(path: "/s\(i)", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    }
    h.send(c, bytes)
    #expect(h.takeReplies(c).count == 9)
    #expect(h.snapshots.count == 1)
    _ = h.call(c, xid: 19, .create2(CreateRequest(path: "/s18", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    #expect(h.snapshots.count == 2)
  }

  @Test("a watch event reaches its connection before any reply that reflects the change")
  func eventBeforeReply() {
    var h = NodeHarness()
    let (watcher, _) = h.openSession()
    let (writer, _) = h.openSession()
    _ = h.call(writer, xid: 1, .create(CreateRequest(path: "/w", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    _ = h.call(watcher, xid: 1, .create(CreateRequest(path: "/own", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    _ = h.call(watcher, xid: 2, .getData(GetDataRequest(path: "/w", watch: true)))
    // In one entry: the writer's change to /w, then the watcher's own write, and behind that
    // the watcher's read of /w, which must wait for its write and so sees the change.
    h.autoPersist = false
    h.request(writer, xid: 2, .setData(SetDataRequest(path: "/w", data: Array("new".utf8))))
    h.request(watcher, xid: 3, .setData(SetDataRequest(path: "/own", data: [1])))
    h.request(watcher, xid: 4, .getData(GetDataRequest(path: "/w")))
    #expect(h.takeReplies(watcher).isEmpty)
    h.autoPersist = true
    h.makeDurable()
    let replies = h.takeReplies(watcher)
    #expect(replies.map(\.header.xid) == [.notification, Xid(3), Xid(4)])
    #expect(replies.first?.event.type == .nodeDataChanged && replies.first?.event.path == "/w")
    #expect(replies.last?.body(GetDataResponse.self).data == Array("new".utf8))
    // One-shot: a second change fires nothing.
    _ = h.call(writer, xid: 3, .setData(SetDataRequest(path: "/w", data: [])))
    #expect(h.takeReplies(watcher).isEmpty)
  }

  @Test("a read that arrives before a change is applied answers the old data, then the event comes")
  func readBeforeChange() {
    var h = NodeHarness()
    let (watcher, _) = h.openSession()
    let (writer, _) = h.openSession()
    _ = h.call(writer, xid: 1, .create(CreateRequest(path: "/w", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    _ = h.call(watcher, xid: 1, .exists(ExistsRequest(path: "/w", watch: true)))
    h.autoPersist = false
    h.request(writer, xid: 2, .setData(SetDataRequest(path: "/w", data: Array("new".utf8))))
    let early = h.call(watcher, xid: 2, .getData(GetDataRequest(path: "/w")))
    #expect(early.map(\.header.xid) == [Xid(2)])
    #expect(early.first?.body(GetDataResponse.self).data == [])
    h.autoPersist = true
    h.makeDurable()
    #expect(h.takeReplies(watcher).map(\.event.type) == [.nodeDataChanged])
  }

  @Test("a persistent recursive watch fires for every change below it, never NodeChildrenChanged")
  func recursiveWatch() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    _ = h.call(c, xid: 1, .create(CreateRequest(path: "/t", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    let added = h.call(c, xid: 2, .addWatch(AddWatchRequest(path: "/t", mode: .persistentRecursive)))
    #expect(added[0].header.err == .ok)
    var events: [WatcherEvent] = []
    events += h.call(c, xid: 3, .create(CreateRequest(path: "/t/a", data: [], acl: ACL.openUnsafe, mode: .persistent))).filter(\.isEvent).map(\.event)
    events += h.call(c, xid: 4, .setData(SetDataRequest(path: "/t/a", data: [1]))).filter(\.isEvent).map(\.event)
    events += h.call(c, xid: 5, .delete(DeleteRequest(path: "/t/a"))).filter(\.isEvent).map(\.event)
    #expect(events.map(\.type) == [.nodeCreated, .nodeDataChanged, .nodeDeleted])
    #expect(events.allSatisfy { $0.path == "/t/a" })
    let removed = h.call(c, xid: 6, .removeWatches(RemoveWatchesRequest(path: "/t", type: .any)))
    #expect(removed.last?.header.err == .ok)
    let after = h.call(c, xid: 7, .create(CreateRequest(path: "/t/b", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    #expect(after.filter(\.isEvent).isEmpty)
  }

  @Test("setWatches2 after a reconnect fires at once for what changed since the client's zxid")
  func setWatchesReplay() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    let created = h.call(c, xid: 1, .create2(CreateRequest(path: "/s", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    let seen = created[0].header.zxid
    _ = h.call(c, xid: 2, .setData(SetDataRequest(path: "/s", data: [1])))
    let replies = h.call(
      c, xid: -8,
      .setWatches2(
        SetWatches2(
          relativeZxid: seen, dataWatches: ["/s"], existWatches: ["/absent"], childWatches: [],
          persistentWatches: [], persistentRecursiveWatches: [])))
    #expect(replies.count == 2)
    #expect(replies[0].isEvent && replies[0].event.type == .nodeDataChanged)
    #expect(replies[1].header.xid == Xid(-8))
    // The exist watch on a missing node was re-armed.
    let create = h.call(c, xid: 3, .create(CreateRequest(path: "/absent", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    #expect(create.first?.isEvent == true && create.first?.event.type == .nodeCreated)
  }

  @Test("multi answers per op; a failure answers ZooKeeper's error layout and applies nothing")
  func multi() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    let ok = h.call(
      c, xid: 1,
      .multi(
        MultiRequest(ops: [
          .create(CreateRequest(path: "/m", data: [], acl: ACL.openUnsafe, mode: .persistent)),
          .create2(CreateRequest(path: "/m/x", data: [], acl: ACL.openUnsafe, mode: .persistent)),
          .setData(SetDataRequest(path: "/m/x", data: [1])),
        ])))
    let results = ok[0].body(MultiResponse.self).results
    guard results.count == 3, case .create(let r0) = results[0], case .create2(let r1) = results[1], case .setData = results[2] else {
      Issue.record("unexpected results \(results)")
      return
    }
    #expect(r0.path == "/m" && r1.path == "/m/x")
    let failed = h.call(
      c, xid: 2,
      .multi(
        MultiRequest(ops: [
          .create(CreateRequest(path: "/m/y", data: [], acl: ACL.openUnsafe, mode: .persistent)),
          .check(CheckVersionRequest(path: "/m/x", version: 7)),
          .delete(DeleteRequest(path: "/m/x")),
        ])))
    #expect(failed[0].header.err == .ok)
    #expect(failed[0].body(MultiResponse.self).results == [.error(.ok), .error(.badVersion), .error(.runtimeInconsistency)])
    #expect(h.node.tree.exists("/m/y") == nil)
  }

  @Test("sync waits for a read index and echoes the path")
  func sync() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    let replies = h.call(c, xid: 1, .sync(SyncRequest(path: "/zookeeper")))
    #expect(replies.map(\.header.xid) == [Xid(1)])
    #expect(replies[0].body(SyncResponse.self).path == "/zookeeper")
  }

  @Test("digest auth adds the identity its ACLs check; an unknown scheme fails and closes")
  func auth() {
    var h = NodeHarness()
    let (c, _) = h.openSession()
    let ok = h.call(c, xid: -4, .auth(AuthPacket(scheme: "digest", auth: Array("alice:secret".utf8))))
    #expect(ok.map(\.header.err) == [.ok])
    let acl = [ACL(perms: .all, id: Id(scheme: "digest", id: Authorization.digest("alice:secret")))]
    #expect(h.call(c, xid: 1, .create(CreateRequest(path: "/secret", data: [1], acl: acl, mode: .persistent)))[0].header.err == .ok)
    #expect(h.call(c, xid: 2, .getData(GetDataRequest(path: "/secret")))[0].header.err == .ok)
    let (other, _) = h.openSession()
    #expect(h.call(other, xid: 1, .getData(GetDataRequest(path: "/secret")))[0].header.err == .noAuth)
    let who = h.call(c, xid: 3, .whoAmI)[0].body(WhoAmIResponse.self)
    #expect(who.clientInfo.map(\.authScheme) == ["ip", "digest"])
    let bad = h.call(other, xid: -4, .auth(AuthPacket(scheme: "kerberos", auth: [1])))
    #expect(bad.map(\.header.err) == [.authFailed])
    #expect(h.closed.contains(other))
  }

  @Test("a client with too many requests queued stops being read until they drain")
  func backPressure() {
    var h = NodeHarness { $0.pendingRequestsMax = 8 }
    let (c, _) = h.openSession()
    h.autoPersist = false
    var bytes: [UInt8] = []
    for i in 0..<20 {
      bytes += Frame.request(xid: Xid(Int32(i + 1)), .create(CreateRequest(path: "/p\(i)", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    }
    h.send(c, bytes)
    #expect(h.paused.contains(c))
    h.autoPersist = true
    for _ in 0..<10 { h.makeDurable(); h.turn() }
    #expect(!h.paused.contains(c))
    #expect(h.takeReplies(c).map(\.header.xid) == (1...20).map { Xid(Int32($0)) })
  }
}

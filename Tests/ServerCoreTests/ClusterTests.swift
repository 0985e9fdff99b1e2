import DataTree
import RaftCore
import ServerCore
import Testing
import ZooKeeperWire

@Suite("three nodes in memory: forwarding, sessions, watches, failover")
struct ClusterTests {
  @Test("a write through a follower is forwarded, applied everywhere, and answered by the follower")
  func writeThroughFollower() throws {
    var c = ClusterHarness()
    let leader = c.electLeader()
    let follower = c.ids.first { $0 != leader }!
    let client_opened = c.openSession(on: follower)
    let (client, opened) = try #require(client_opened)
    #expect(opened.timeOutMs > 0)
    let replies = c.call(follower, client, xid: 1, .create2(CreateRequest(path: "/f", data: [1, 2], acl: ACL.openUnsafe, mode: .persistent)))
    #expect(replies.map(\.header.err) == [.ok])
    c.run(ms: 300)
    for id in c.ids {
      #expect(c.nodes[id]!.tree.exists("/f")?.dataLength == 2, "node \(id)")
    }
    #expect(c.nodes[leader]!.tree.digest() == c.nodes[follower]!.tree.digest())
  }

  @Test("a watch set through a follower fires for a write made through the leader")
  func watchAcrossNodes() throws {
    var c = ClusterHarness()
    let leader = c.electLeader()
    let follower = c.ids.first { $0 != leader }!
    let watching_opened = c.openSession(on: follower)
    let (watching, _) = try #require(watching_opened)
    let writing_opened = c.openSession(on: leader)
    let (writing, _) = try #require(writing_opened)
    _ = c.call(follower, watching, xid: 1, .exists(ExistsRequest(path: "/w", watch: true)))
    _ = c.call(leader, writing, xid: 1, .create(CreateRequest(path: "/w", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    c.run(ms: 300)
    let events = c.takeFrames(follower, watching).map { frame -> WatcherEvent in
      var r = JuteReader(frame)
      _ = try! r.read(ReplyHeader.self)
      return try! r.read(WatcherEvent.self)
    }
    #expect(events.map(\.type) == [.nodeCreated])
  }

  @Test("sessions on followers stay alive through forwarded activity and expire without it")
  func sessionLiveness() throws {
    var c = ClusterHarness { $0.sessionTimeoutMsMin = 1000 }
    let leader = c.electLeader()
    let follower = c.ids.first { $0 != leader }!
    let alive_opened = c.openSession(on: follower, timeoutMs: 2000)
    let (alive, _) = try #require(alive_opened)
    let silent_opened = c.openSession(on: follower, timeoutMs: 2000)
    let (silent, _) = try #require(silent_opened)
    _ = c.call(follower, silent, xid: 1, .create(CreateRequest(path: "/eph", data: [], acl: ACL.openUnsafe, mode: .ephemeral)))
    for _ in 0..<10 {
      c.run(ms: 500)
      _ = c.call(follower, alive, xid: -2, .ping)
    }
    #expect(c.nodes[leader]!.tree.sessions.count == 1)
    #expect(c.nodes[follower]!.tree.exists("/eph") == nil)
    #expect(c.closed[follower]?.contains(silent) == true)
    #expect(c.closed[follower]?.contains(alive) != true)
  }

  @Test("the leader lost: a new one is elected, sessions survive, writes go on, nothing acknowledged is lost")
  func leaderFailover() throws {
    var c = ClusterHarness()
    let first = c.electLeader()
    let follower = c.ids.first { $0 != first }!
    let session = c.openSession(on: follower, timeoutMs: 10_000)
    let (client, opened) = try #require(session)
    for i in 0..<20 {
      let r = c.call(follower, client, xid: Int32(i + 1), .create(CreateRequest(path: "/k\(i)", data: [], acl: ACL.openUnsafe, mode: .persistent)))
      #expect(r.map(\.header.err) == [.ok])
    }
    c.isolated.insert(first)
    c.run(ms: 3000)
    let newLeader = c.leader
    let second = try #require(newLeader)
    #expect(second != first)
    // The session created through the old leader is alive under the new one.
    let r = c.call(follower, client, xid: 100, .create(CreateRequest(path: "/after", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    #expect(r.map(\.header.err) == [.ok])
    #expect(c.nodes[second]!.tree.session(opened.sessionID) != nil)
    for i in 0..<20 { #expect(c.nodes[second]!.tree.exists("/k\(i)") != nil) }
  }

  @Test("a node without a leader for an election timeout closes its clients and refuses new ones")
  func leaderlessNodeSendsClientsAway() throws {
    var c = ClusterHarness()
    let leader = c.electLeader()
    let follower = c.ids.first { $0 != leader }!
    let client_opened = c.openSession(on: follower)
    let (client, _) = try #require(client_opened)
    c.isolated.insert(follower)
    c.run(ms: 4000)
    #expect(c.closed[follower]?.contains(client) == true)
    let refused = c.openSession(on: follower)
    #expect(refused == nil)
  }

  @Test("sync on a follower waits for the leader's read index")
  func syncOnFollower() throws {
    var c = ClusterHarness()
    let leader = c.electLeader()
    let follower = c.ids.first { $0 != leader }!
    let client_opened = c.openSession(on: follower)
    let (client, _) = try #require(client_opened)
    let replies = c.call(follower, client, xid: 1, .sync(SyncRequest(path: "/")))
    #expect(replies.map(\.header.xid) == [Xid(1)])
  }
}

@Suite("failover as kazoo does it")
struct KazooStyleFailoverTests {
  @Test("the leader dies; the client resumes its session at once on a follower and keeps writing")
  func resumeDuringElection() throws {
    var c = ClusterHarness()
    let first = c.electLeader()
    let others = c.ids.filter { $0 != first }
    let opened = c.openSession(on: first, timeoutMs: 10_000)
    let (client, response) = try #require(opened)
    _ = c.call(first, client, xid: 1, .create(CreateRequest(path: "/r", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    c.isolated.insert(first)
    c.nodes[first]!.clientClosed(client, nowMs: c.nowMs)
    // Reconnect right away, before any election: the follower still thinks the old leader leads.
    let target = others[0]
    let (again, againFrames) = c.reconnect(to: target, session: response.sessionID, password: response.passwd)
    #expect(againFrames.count == 1)
    c.send(target, again, Frame.request(xid: Xid(2), .sync(SyncRequest(path: "/r"))))
    c.send(target, again, Frame.request(xid: Xid(3), .getChildren(GetChildrenRequest(path: "/r"))))
    c.send(target, again, Frame.request(xid: Xid(4), .create(CreateRequest(path: "/r/after", data: [], acl: ACL.openUnsafe, mode: .persistent))))
    let xids = c.pingAndCollect(target, again, ms: 4000)
    #expect(c.closed[target]?.contains(again) != true)
    #expect(Array(xids.filter { $0 != .ping }.prefix(3)) == [Xid(2), Xid(3), Xid(4)])
    #expect(c.leader != nil && c.leader != first)
    #expect(c.nodes[target]!.tree.exists("/r/after") != nil)
  }
}

extension KazooStyleFailoverTests {
  @Test("a follower dies; the client resumes its session on the other follower and keeps writing")
  func resumeOnOtherFollower() throws {
    var c = ClusterHarness()
    let leader = c.electLeader()
    let followers = c.ids.filter { $0 != leader }
    let opened = c.openSession(on: followers[0], timeoutMs: 10_000)
    let (client, response) = try #require(opened)
    for i in 0..<5 {
      _ = c.call(followers[0], client, xid: Int32(i + 1), .create(CreateRequest(path: "/q\(i)", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    }
    c.isolated.insert(followers[0])
    c.nodes[followers[0]]!.clientClosed(client, nowMs: c.nowMs)
    let target = followers[1]
    let (again, againFrames) = c.reconnect(to: target, session: response.sessionID, password: response.passwd)
    #expect(againFrames.count == 1)
    c.send(target, again, Frame.request(xid: Xid(10), .sync(SyncRequest(path: "/"))))
    c.send(target, again, Frame.request(xid: Xid(11), .getChildren(GetChildrenRequest(path: "/"))))
    c.send(target, again, Frame.request(xid: Xid(12), .create(CreateRequest(path: "/after", data: [], acl: ACL.openUnsafe, mode: .persistent))))
    let xids = c.pingAndCollect(target, again, ms: 3000)
    #expect(Array(xids.filter { $0 != .ping }) == [Xid(10), Xid(11), Xid(12)])
    #expect(c.closed[target]?.contains(again) != true)
    #expect(c.nodes[leader]!.tree.session(response.sessionID) != nil)
  }
}

@Suite("partitions: a minority node sends its clients to the majority")
struct PartitionTests {
  @Test("a client cut off with a minority node moves to the majority and sees no older state")
  func clientMovesToMajority() throws {
    var c = ClusterHarness()
    let leader = c.electLeader()
    let (minority, majority) = (c.ids.first { $0 != leader }!, leader)
    let opened = c.openSession(on: minority, timeoutMs: 10_000)
    let (client, response) = try #require(opened)
    let created = c.call(minority, client, xid: 1, .create2(CreateRequest(path: "/seen", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    let seen = try #require(created.last).header.zxid
    c.isolated.insert(minority)
    let other = c.openSession(on: majority)
    let (writer, _) = try #require(other)
    let later = c.call(majority, writer, xid: 1, .create2(CreateRequest(path: "/later", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    let newest = try #require(later.last).header.zxid
    c.run(ms: 3000)
    // The minority node has had no leader for an election timeout: its client is sent away.
    #expect(c.closed[minority]?.contains(client) == true)
    // It reconnects on the majority side with the last zxid it saw, and keeps its session.
    let (moved, movedFrames) = c.reconnect(to: majority, session: response.sessionID, password: response.passwd, lastZxid: seen)
    var reader = JuteReader(try #require(movedFrames.first))
    #expect(try reader.read(ConnectResponse.self).sessionID == response.sessionID)
    let replies = c.call(majority, moved, xid: 2, .exists(ExistsRequest(path: "/seen")))
    #expect(replies.last?.header.err == .ok)
    #expect(replies.last.map { $0.header.zxid >= newest } == true)
    // A client that has seen the majority's newer state is refused by the stale minority node.
    c.isolated.remove(minority)
    c.isolated.insert(c.ids.first { $0 != leader && $0 != minority }!)
    c.isolated.insert(leader)
    let (stale, staleFrames) = c.reconnect(to: minority, lastZxid: newest)
    #expect(staleFrames.isEmpty)
    #expect(c.closed[minority]?.contains(stale) == true)
  }
}

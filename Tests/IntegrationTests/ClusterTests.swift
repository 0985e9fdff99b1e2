import Foundation
import Glibc
import Testing
import ZooKeeperWire

/// Real `grove-server` clusters on loopback: processes, sockets, SIGKILL.
@Suite("grove-server clusters", .serialized)
struct ClusterIntegrationTests {
  func create(_ socket: TestSocket, xid: Int32, _ path: String, data: [UInt8] = [], mode: CreateMode = .persistent) throws -> ErrorCode {
    try socket.call(xid: xid, .create(CreateRequest(path: path, data: data, acl: ACL.openUnsafe, mode: mode))).0.err
  }

  func exists(_ socket: TestSocket, xid: Int32, _ path: String) throws -> Bool {
    try socket.call(xid: xid, .exists(ExistsRequest(path: path))).0.err == .ok
  }

  @Test("a write through any node is visible on every node after sync")
  func writeVisibleEverywhere() throws {
    let cluster = try ClusterProcess(name: "visible", size: 3)
    defer { cluster.stop() }
    try cluster.start()
    let sockets = try (1...3).map { try cluster.session(on: $0).0 }
    for (k, socket) in sockets.enumerated() {
      #expect(try create(socket, xid: 1, "/from\(k + 1)", data: [UInt8(k)]) == .ok)
    }
    for socket in sockets {
      _ = try socket.call(xid: 2, .sync(SyncRequest(path: "/")))
      for k in 1...3 { #expect(try exists(socket, xid: 3, "/from\(k)")) }
    }
  }

  @Test("a watch set through a follower fires for a write made through the leader")
  func watchThroughFollower() throws {
    let cluster = try ClusterProcess(name: "watch", size: 3)
    defer { cluster.stop() }
    try cluster.start()
    let leader = try cluster.waitForLeader()
    let (watching, _) = try cluster.session(on: cluster.followers(of: leader)[0])
    let (writing, _) = try cluster.session(on: leader)
    #expect(try watching.call(xid: 1, .exists(ExistsRequest(path: "/watched", watch: true))).0.err == .noNode)
    #expect(try create(writing, xid: 1, "/watched") == .ok)
    let event = try watching.readEvent()
    #expect(event?.type == .nodeCreated && event?.path == "/watched")
  }

  @Test("the leader killed with SIGKILL is replaced; no acknowledged write is lost")
  func leaderKilled() throws {
    let cluster = try ClusterProcess(name: "leaderkill", size: 3)
    defer { cluster.stop() }
    try cluster.start()
    let leader = try cluster.waitForLeader()
    let survivor = cluster.followers(of: leader)[0]
    let (socket, _) = try cluster.session(on: survivor)
    var acknowledged: [String] = []
    for i in 0..<100 where try create(socket, xid: Int32(i + 1), "/ack\(i)") == .ok { acknowledged.append("/ack\(i)") }
    #expect(acknowledged.count == 100)
    let killedAt = Date()
    cluster.node(leader).kill(SIGKILL)
    let newLeader = try cluster.waitForLeader(excluding: [leader])
    #expect(newLeader != leader)
    // Writes resume; the first success after the kill is the failover time.
    var written: Date?
    for attempt in 0..<100 {
      let (writer, _) = try cluster.session(on: survivor)
      if (try? create(writer, xid: 1, "/after\(attempt)")) == .ok {
        written = Date()
        break
      }
      usleep(100_000)
    }
    let failover = try #require(written).timeIntervalSince(killedAt)
    print("failover: first write \(Int(failover * 1000)) ms after SIGKILL of the leader")
    for i in cluster.followers(of: leader) {
      let (reader, _) = try cluster.session(on: i)
      _ = try reader.call(xid: 1, .sync(SyncRequest(path: "/")))
      for (k, path) in acknowledged.enumerated() where k % 10 == 0 || k == acknowledged.count - 1 {
        #expect(try exists(reader, xid: Int32(k + 2), path), "node \(i) lost \(path)")
      }
    }
  }

  @Test("an ephemeral survives its client moving to another node, and goes when the session expires")
  func ephemeralAcrossReconnect() throws {
    let cluster = try ClusterProcess(name: "ephemeral", size: 3)
    defer { cluster.stop() }
    try cluster.start()
    let (first, opened) = try cluster.session(on: 1, timeoutMs: 3000)
    #expect(try create(first, xid: 1, "/eph", mode: .ephemeral) == .ok)
    first.close()  // the connection drops without closeSession
    let moved = try TestSocket(host: cluster.host(2), port: cluster.clientPort)
    let resumed = try moved.handshake(timeoutMs: 3000, session: opened.sessionID, password: opened.passwd)
    #expect(resumed.sessionID == opened.sessionID)
    #expect(try exists(moved, xid: 1, "/eph"))
    let (observer, _) = try cluster.session(on: 3)
    #expect(try observer.call(xid: 1, .exists(ExistsRequest(path: "/eph", watch: true))).0.err == .ok)
    // The client goes silent: no pings. The session expires and the ephemeral goes with it.
    let started = Date()
    var gone = false
    while Date().timeIntervalSince(started) < 15 {
      if let event = try observer.readEvent(), event.type == .nodeDeleted {
        gone = true
        break
      }
    }
    #expect(gone, "ephemeral still there after \(Date().timeIntervalSince(started)) s")
    _ = moved
  }

  @Test("a follower restarted from its data dir catches up; a wiped one catches up through a snapshot")
  func restartAndWipe() throws {
    let cluster = try ClusterProcess(name: "catchup", size: 3, extraConfig: "grove.snapshotTransactions=100")
    defer { cluster.stop() }
    try cluster.start()
    let leader = try cluster.waitForLeader()
    let (restarted, wiped) = (cluster.followers(of: leader)[0], cluster.followers(of: leader)[1])
    let (writer, _) = try cluster.session(on: leader)
    cluster.node(restarted).kill(SIGKILL)
    for i in 0..<150 { #expect(try create(writer, xid: Int32(i + 1), "/a\(i)", data: [UInt8](repeating: 1, count: 100)) == .ok) }
    try cluster.node(restarted).start()
    cluster.node(wiped).kill(SIGKILL)
    try cluster.node(wiped).wipe()
    for i in 0..<300 { #expect(try create(writer, xid: Int32(i + 200), "/b\(i)", data: [UInt8](repeating: 2, count: 100)) == .ok) }
    try cluster.node(wiped).start()
    for i in [restarted, wiped] {
      var caughtUp = false
      let deadline = Date().addingTimeInterval(20)
      while Date() < deadline && !caughtUp {
        if let (reader, _) = try? cluster.session(on: i) {
          _ = try? reader.call(xid: 1, .sync(SyncRequest(path: "/")))
          caughtUp = (try? exists(reader, xid: 2, "/a149")) == true && (try? exists(reader, xid: 3, "/b299")) == true
        }
        if !caughtUp { usleep(200_000) }
      }
      #expect(caughtUp, "node \(i) did not catch up: \(cluster.node(i).serverLog().suffix(600))")
    }
    #expect(cluster.node(wiped).serverLog().contains("restored snapshot"), "the wiped node caught up without a snapshot")
  }

  @Test("five nodes keep serving with two down and stop accepting writes with three down")
  func fiveNodes() throws {
    let cluster = try ClusterProcess(name: "five", size: 5)
    defer { cluster.stop() }
    try cluster.start()
    let leader = try cluster.waitForLeader()
    let others = cluster.followers(of: leader)
    cluster.node(others[0]).kill(SIGKILL)
    cluster.node(others[1]).kill(SIGKILL)
    let (socket, _) = try cluster.session(on: leader)
    #expect(try create(socket, xid: 1, "/with-three") == .ok)
    cluster.node(others[2]).kill(SIGKILL)
    // Two of five: no majority. The write is not acknowledged: the connection closes or the
    // reply never comes within the bound.
    let outcome = try? socket.call(xid: 2, .create(CreateRequest(path: "/with-two", data: [], acl: ACL.openUnsafe, mode: .persistent)))
    #expect(outcome == nil || outcome?.0.err != .ok)
    #expect(cluster.node(leader).isRunning)
  }
}

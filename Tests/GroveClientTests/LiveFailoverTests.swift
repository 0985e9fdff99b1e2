import Foundation
import Synchronization
import Testing
import Transport
import ZooKeeperWire

@testable import GroveClient

/// A server that answers every connection with a hostile frame length.
final class GarbageServer: ListenerHandler, ConnectionHandler {
  let accepted = Atomic<Int>(0)
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
  func connectionActive(_ connection: Connection) { accepted.add(1, ordering: .relaxed) }
  func connection(_ connection: Connection, received bytes: [UInt8]) {
    connection.write([0xff, 0xff, 0xff, 0xfe, 1, 2, 3])
  }
  func connectionClosed(_ connection: Connection, reason: CloseReason) {}
}

/// Why `@unchecked Sendable` is safe: the handler's only mutable state is an Atomic; the rest
/// runs on the loop thread.
extension GarbageServer: @unchecked Sendable {}

@Suite("GroveClient: failover and server restarts", .enabled(if: LiveServer.available), .timeLimit(.minutes(2)))
struct LiveFailoverTests {
  @Test("a server that sends garbage is dropped and the client fails over to the next one")
  func garbageFailover() async throws {
    let real = try await LiveServer.connectString()
    let loop = try EventLoop(name: "garbage-server")
    defer { loop.shutdownAndWait() }
    let garbage = GarbageServer()
    let port = try loop.runAndWait { try loop.listen(on: .loopback(port: 0), handler: garbage).localAddress.port }
    let servers = try ConnectString("127.0.0.1:\(port),\(real)").servers
    // Choose a seed whose shuffled order tries the garbage server first.
    let seed = (0..<64 as Range<UInt64>).first {
      ClientSession(configuration: SessionConfiguration(servers: servers), seed: $0).hosts.first?.port == port
    }!
    let client = try await GroveClient.connect("127.0.0.1:\(port),\(real)", seed: seed)
    #expect(garbage.accepted.load(ordering: .relaxed) >= 1)
    #expect(try await client.exists("/") != nil)
    await client.close()
  }

  @Test(
    "after the server restarts, the session, its ephemerals and its watches continue",
    .enabled(if: ProcessInfo.processInfo.environment["GROVE_TEST_SERVER"] == nil))
  func serverRestart() async throws {
    // Bounded as a whole: a JVM that is slow to come back fails the test instead of hanging it.
    try await within(100) {
      trace("restart step 1")
      let zk = try await LiveServer.offPool { try LiveServer.startZooKeeper(tag: "restart") }
      defer { try? LiveServer.stop(zk) }
      trace("restart step 2")
      let client = try await GroveClient.connect(zk.connectString, sessionTimeout: .seconds(20))
      trace("restart step 3")
      let states = Collector(client.sessionStates())
      trace("restart step 4")
      let root = uniqueRoot("restart")
      trace("restart step 5")
      try await client.create(root, data: [0])
      trace("restart step 6")
      try await client.create(root + "/eph", mode: .ephemeral)
      trace("restart step 7")
      let before = await client.sessionInfo()
      trace("restart step 8")
      let oneShot = try #require(try await client.getData(root, watch: true).watch)
      trace("restart step 9")
      let persistent = Collector(try await client.watch(root, recursive: true))
      trace("restart step 10")
      try await LiveServer.offPool { try LiveServer.restart(zk) }
      trace("restart step 11")
      try await states.wait(seconds: 30) { $0.contains(.reconnected) }
      trace("restart step 12")
      #expect(states.all.contains(.suspended))
      trace("restart step 13")
      #expect(await client.sessionInfo()?.id == before?.id)
      trace("restart step 14")
      #expect(try await client.exists(root + "/eph") != nil)
      trace("restart step 15")
      try await withClient(zk.connectString) { other in
        try await other.setData(root, data: [1])
        try await other.create(root + "/after")
      }
      trace("restart step 16")
      #expect(try await within(10) { try await oneShot.event() }.type == .nodeDataChanged)
      trace("restart step 17")
      try await persistent.wait { events in
        events.contains { $0.type == .nodeDataChanged && $0.path == root }
          && events.contains { $0.type == .nodeCreated && $0.path == root + "/after" }
      }
      trace("restart step 18")
      await client.close()
    }
  }
}

/// Progress of the restart test on stderr: when a slow JVM makes it time out, the last step
/// printed says where.
func trace(_ text: String) {
  FileHandle.standardError.write(Data("[\(Date())] \(text)\n".utf8))
}

import Glibc
import Testing

@testable import Transport

/// Keeps `depth` fixed-size messages in flight on one connection to an echo server, sending a new
/// one for each that comes back, until the run ends.
private final class PingClient: ConnectionHandler {
  let message: [UInt8]
  let depth: Int
  let completed: Recorder<Int>
  var pendingBytes = 0
  var roundTrips = 0
  var running = true

  init(messageBytes: Int, depth: Int, completed: Recorder<Int>) {
    self.message = patternBytes(count: messageBytes)
    self.depth = depth
    self.completed = completed
  }

  func connectionActive(_ connection: Connection) {
    for _ in 0..<depth { connection.write(message) }
  }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    pendingBytes += bytes.count
    let arrived = pendingBytes / message.count
    pendingBytes %= message.count
    roundTrips += arrived
    guard running else { return }
    for _ in 0..<arrived { connection.write(message) }
  }

  func stop() {
    running = false
    completed.append(roundTrips)
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {}
}

/// Streams `totalBytes` to each connection it accepts, in 64 KiB writes as the queue allows.
private final class Streamer: ListenerHandler, ConnectionHandler {
  let chunk = patternBytes(count: 64 * 1024)
  let totalBytes: Int
  var sent = 0
  init(totalBytes: Int) { self.totalBytes = totalBytes }
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
  func connectionActive(_ connection: Connection) { fill(connection) }
  func connectionWritabilityChanged(_ connection: Connection) { fill(connection) }
  private func fill(_ connection: Connection) {
    while connection.isWritable && sent < totalBytes {
      connection.write(chunk)
      sent += chunk.count
    }
    if sent >= totalBytes { connection.close() }
  }
  func connection(_ connection: Connection, received bytes: [UInt8]) {}
  func connectionClosed(_ connection: Connection, reason: CloseReason) {}
}

private final class Sink: ConnectionHandler {
  let done: Recorder<UInt64>
  init(done: Recorder<UInt64>) { self.done = done }
  func connection(_ connection: Connection, received bytes: [UInt8]) {}
  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    done.append(connection.bytesReceived)
  }
}

/// Throughput figures, off by default: `GROVE_TRANSPORT_BENCH=1 swift test -c release --filter TransportBenchmarks`.
@Suite("Transport benchmarks", .serialized, .enabled(if: getenv("GROVE_TRANSPORT_BENCH") != nil))
struct TransportBenchmarks {
  @Test("round trips per second: 100 connections, 16 x 64-byte messages in flight each")
  func roundTripRate() throws {
    let (server, address) = try startEchoServer()
    defer { server.shutdownAndWait() }
    let clientLoop = try EventLoop(name: "bench-clients")
    defer { clientLoop.shutdownAndWait() }
    let completed = Recorder<Int>()
    let connections = 100
    let durationMs: Int64 = 3_000
    let startNs = EventLoop.monotonicNowNs()
    try clientLoop.runAndWait {
      var clients: [PingClient] = []
      for _ in 0..<connections {
        let client = PingClient(messageBytes: 64, depth: 16, completed: completed)
        clients.append(client)
        try clientLoop.connect(to: address, handler: client)
      }
      clientLoop.scheduleTimer(afterMs: durationMs) { for client in clients { client.stop() } }
    }
    #expect(waitUntil { completed.count == connections })
    let elapsedNs = EventLoop.monotonicNowNs() - startNs
    let total = completed.snapshot.reduce(0, +)
    let rate = Double(total) / (Double(elapsedNs) / 1e9)
    print("transport-bench round trips: \(total) in \(elapsedNs / 1_000_000) ms = \(Int(rate)) per second")
    #expect(total > 0)
  }

  @Test("bulk throughput: 1 GiB from one connection to another")
  func bulkThroughput() throws {
    let totalBytes = 1 << 30
    let server = try EventLoop(name: "bench-streamer")
    defer { server.shutdownAndWait() }
    let address = try server.runAndWait {
      try server.listen(on: .loopback(port: 0), handler: Streamer(totalBytes: totalBytes)).localAddress
    }
    let clientLoop = try EventLoop(name: "bench-sink")
    defer { clientLoop.shutdownAndWait() }
    let done = Recorder<UInt64>()
    let startNs = EventLoop.monotonicNowNs()
    try clientLoop.runAndWait { _ = try clientLoop.connect(to: address, handler: Sink(done: done)) }
    #expect(waitUntil { done.count == 1 })
    let elapsedNs = EventLoop.monotonicNowNs() - startNs
    let received = done.snapshot.first ?? 0
    let mibPerSecond = Double(received) / 1_048_576 / (Double(elapsedNs) / 1e9)
    print(
      "transport-bench bulk: \(received) bytes in \(elapsedNs / 1_000_000) ms = \(Int(mibPerSecond)) MiB/s")
    #expect(received == UInt64(totalBytes))
  }

  @Test("5,000 idle connections: time to establish, memory per connection, echo latency among them")
  func idleConnections() throws {
    let closes = Recorder<CloseReason>()
    let (server, address) = try startEchoServer(closes: closes)
    defer { server.shutdownAndWait() }
    let clientLoop = try EventLoop(name: "bench-idle")
    defer { clientLoop.shutdownAndWait() }
    let active = Recorder<Bool>()
    final class Idle: ConnectionHandler {
      let active: Recorder<Bool>
      init(active: Recorder<Bool>) { self.active = active }
      func connectionActive(_ connection: Connection) { active.append(true) }
      func connection(_ connection: Connection, received bytes: [UInt8]) {}
      func connectionClosed(_ connection: Connection, reason: CloseReason) { active.append(false) }
    }
    let count = 5_000
    let rssBefore = residentBytes()
    let startNs = EventLoop.monotonicNowNs()
    try clientLoop.runAndWait {
      let idle = Idle(active: active)
      for _ in 0..<count { try clientLoop.connect(to: address, handler: idle) }
    }
    #expect(waitUntil { active.count == count })
    #expect(waitUntil { (try? server.runAndWait { server.connectionCount }) == count })
    let establishedNs = EventLoop.monotonicNowNs() - startNs
    let rssAfter = residentBytes()
    let perConnection = (rssAfter - rssBefore) / (2 * count)
    print(
      "transport-bench idle: \(count) connections in \(establishedNs / 1_000_000) ms; "
        + "RSS +\((rssAfter - rssBefore) / 1024) KiB = \(perConnection) bytes per connection end")
    let client = try BlockingClient(connectTo: address)
    let rounds = 2_000
    let pingStartNs = EventLoop.monotonicNowNs()
    for _ in 0..<rounds {
      client.send([42])
      #expect(client.receive(count: 1) == [42])
    }
    let meanNs = (EventLoop.monotonicNowNs() - pingStartNs) / UInt64(rounds)
    print("transport-bench idle: echo round trip among them \(meanNs / 1000) us mean over \(rounds)")
    #expect(active.snapshot.allSatisfy { $0 })
  }
}

/// The process's resident set, from /proc/self/statm (second field, in pages).
private func residentBytes() -> Int {
  let fd = open("/proc/self/statm", O_RDONLY)
  guard fd >= 0 else { return 0 }
  defer { close(fd) }
  var buffer = [UInt8](repeating: 0, count: 256)
  let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
  guard count > 0 else { return 0 }
  let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
  guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
  return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

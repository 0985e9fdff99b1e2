import Synchronization
import Testing

@testable import Transport

/// Sends its payload in pieces cut at random boundaries, one piece per loop turn, and checks that
/// the echo comes back whole and in order.
private final class EchoClient: ConnectionHandler {
  let payload: [UInt8]
  let pieces: [Range<Int>]
  let outcomes: Recorder<Bool>
  /// Why connections closed before their echo was whole, for the failure message.
  let earlyCloses: Recorder<String>
  var nextPiece = 0
  var received: [UInt8] = []
  var reported = false

  init(payload: [UInt8], random: inout SeededRandom, outcomes: Recorder<Bool>, earlyCloses: Recorder<String>) {
    self.payload = payload
    self.outcomes = outcomes
    self.earlyCloses = earlyCloses
    var pieces: [Range<Int>] = []
    var start = 0
    while start < payload.count {
      let end = min(payload.count, start + Int.random(in: 1...3_000, using: &random))
      pieces.append(start..<end)
      start = end
    }
    self.pieces = pieces
  }

  func connectionActive(_ connection: Connection) { sendNextPiece(connection) }

  private func sendNextPiece(_ connection: Connection) {
    guard nextPiece < pieces.count, connection.isActive else { return }
    connection.write(payload[pieces[nextPiece]])
    nextPiece += 1
    connection.loop.scheduleTimer(afterMs: 0) { [self] in sendNextPiece(connection) }
  }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    received += bytes
    if received.count >= payload.count {
      report(received == payload)
      connection.close()
    }
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    if !reported { earlyCloses.append("\(reason) after \(received.count) of \(payload.count) bytes") }
    report(false)
  }

  private func report(_ success: Bool) {
    guard !reported else { return }
    reported = true
    outcomes.append(success)
  }
}

@Suite("Connections: byte streams through the loop")
struct EchoTests {
  @Test("200 concurrent clients each get back exactly the bytes they sent, split at random boundaries")
  func manyClientsEcho() throws {
    let closes = Recorder<CloseReason>()
    let (server, address) = try startEchoServer(closes: closes)
    defer { server.shutdownAndWait() }
    let clients = try EventLoop(name: "echo-clients")
    defer { clients.shutdownAndWait() }
    let outcomes = Recorder<Bool>()
    let earlyCloses = Recorder<String>()
    let clientCount = 200
    try clients.runAndWait {
      var random = SeededRandom(seed: 2026)
      for index in 0..<clientCount {
        let payload = (0..<(4_096 + index * 97)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let client = EchoClient(payload: payload, random: &random, outcomes: outcomes, earlyCloses: earlyCloses)
        try clients.connect(to: address, handler: client)
      }
    }
    #expect(waitUntil { outcomes.count == clientCount })
    #expect(outcomes.snapshot.filter { $0 }.count == clientCount, "closed early: \(earlyCloses.snapshot)")
    // Each client closed after its echo: the server saw every one of them go.
    #expect(waitUntil { closes.count == clientCount })
    #expect(try server.runAndWait { server.connectionCount } == 0)
  }

  @Test("an 8 MiB reply far larger than the socket buffers arrives intact and in order before the close")
  func largeWriteArrivesInOrder() throws {
    final class Sender: ListenerHandler, ConnectionHandler {
      let payload: [UInt8]
      let closes: Recorder<CloseReason>
      init(payload: [UInt8], closes: Recorder<CloseReason>) {
        self.payload = payload
        self.closes = closes
      }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connectionActive(_ connection: Connection) {
        // Writes of mixed sizes exercise both coalesced and dedicated queue blocks.
        var random = SeededRandom(seed: 16)
        var offset = 0
        while offset < payload.count {
          let end = min(payload.count, offset + Int.random(in: 1...200_000, using: &random))
          #expect(connection.write(payload[offset..<end]))
          offset = end
        }
        connection.close()
      }
      func connection(_ connection: Connection, received bytes: [UInt8]) {}
      func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
    }
    let payload = patternBytes(count: 8 << 20, seed: 3)
    let closes = Recorder<CloseReason>()
    let server = try EventLoop(name: "large-writes")
    defer { server.shutdownAndWait() }
    var options = ListenerOptions()
    options.connectionOptions.writeQueueHighWatermarkBytes = 32 << 20
    options.connectionOptions.writeQueueBytesMax = 32 << 20
    let address = try server.runAndWait { [options] in
      try server.listen(
        on: .loopback(port: 0), options: options, handler: Sender(payload: payload, closes: closes)
      )
      .localAddress
    }
    let client = try BlockingClient(connectTo: address, receiveBufferBytes: 16 * 1024)
    let (received, sawEndOfFile) = client.receiveUntilEndOfFile()
    #expect(sawEndOfFile)
    #expect(received.count == payload.count)
    #expect(received == payload)
    #expect(waitUntil { closes.count == 1 })
    #expect(closes.snapshot == [.closedLocally])
  }

  @Test("a client connection's large write to an echo server comes back intact")
  func largeWriteFromClientLoop() throws {
    let (server, address) = try startEchoServer()
    defer { server.shutdownAndWait() }
    let clients = try EventLoop(name: "large-client")
    defer { clients.shutdownAndWait() }
    let outcomes = Recorder<Bool>()
    let earlyCloses = Recorder<String>()
    try clients.runAndWait {
      var random = SeededRandom(seed: 99)
      let client = EchoClient(
        payload: patternBytes(count: 2 << 20, seed: 1), random: &random, outcomes: outcomes, earlyCloses: earlyCloses)
      try clients.connect(to: address, handler: client)
    }
    #expect(waitUntil { outcomes.count == 1 })
    #expect(outcomes.snapshot == [true], "closed early: \(earlyCloses.snapshot)")
  }
}

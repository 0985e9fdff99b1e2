import Synchronization
import Testing

@testable import Transport

/// Echoes ordinary bytes; on "flood" writes 16 KiB every millisecond regardless of writability (a
/// careless producer), on "fill" writes until the connection stops being writable (a well-behaved
/// one). Records writability changes and close reasons.
private final class Producer: ListenerHandler, ConnectionHandler {
  let writability: Recorder<Bool>
  let closes: Recorder<CloseReason>
  let chunk = patternBytes(count: 16 * 1024)
  init(writability: Recorder<Bool>, closes: Recorder<CloseReason>) {
    self.writability = writability
    self.closes = closes
  }
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
  func connection(_ connection: Connection, received bytes: [UInt8]) {
    switch bytes {
    case Array("flood".utf8): flood(connection, remainingTicks: 10_000)
    case Array("fill".utf8):
      var writes = 0
      while connection.isWritable && writes < 10_000 {
        connection.write(chunk)
        writes += 1
      }
    default: connection.write(bytes)
    }
  }
  private func flood(_ connection: Connection, remainingTicks: Int) {
    guard remainingTicks > 0, connection.write(chunk) else { return }
    connection.loop.scheduleTimer(afterMs: 1) { [self] in
      flood(connection, remainingTicks: remainingTicks - 1)
    }
  }
  func connectionWritabilityChanged(_ connection: Connection) { writability.append(connection.isWritable) }
  func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
}

@Suite("Back-pressure: bounded write queues")
struct BackPressureTests {
  private func startProducer(writability: Recorder<Bool>, closes: Recorder<CloseReason>) throws
    -> (EventLoop, SocketAddress)
  {
    let loop = try EventLoop(name: "producer")
    var options = ListenerOptions()
    options.connectionOptions.writeQueueHighWatermarkBytes = 64 * 1024
    options.connectionOptions.writeQueueLowWatermarkBytes = 16 * 1024
    options.connectionOptions.writeQueueBytesMax = 512 * 1024
    options.connectionOptions.sendBufferBytes = 8 * 1024
    let address = try loop.runAndWait { [options] in
      let producer = Producer(writability: writability, closes: closes)
      return try loop.listen(on: .loopback(port: 0), options: options, handler: producer).localAddress
    }
    return (loop, address)
  }

  @Test("a peer that never reads trips the high watermark, then the hard cap closes it; others are served")
  func neverReadingPeerIsClosedAtTheCap() throws {
    let writability = Recorder<Bool>()
    let closes = Recorder<CloseReason>()
    let (loop, address) = try startProducer(writability: writability, closes: closes)
    defer { loop.shutdownAndWait() }
    let stalled = try BlockingClient(connectTo: address, receiveBufferBytes: 4 * 1024)
    stalled.send(Array("flood".utf8))
    #expect(waitUntil { closes.count == 1 })
    #expect(writability.snapshot == [false])
    #expect(closes.snapshot == [.writeQueueOverflow])
    // The server is unharmed: another client is served.
    let other = try BlockingClient(connectTo: address)
    other.send(Array("hello".utf8))
    #expect(other.receive(count: 5) == Array("hello".utf8))
    #expect(try loop.runAndWait { loop.connectionCount } == 1)
  }

  @Test("a full queue reports not writable; once the peer drains it below the low watermark, writable again")
  func writabilityReturnsAfterDrain() throws {
    let writability = Recorder<Bool>()
    let closes = Recorder<CloseReason>()
    let (loop, address) = try startProducer(writability: writability, closes: closes)
    defer { loop.shutdownAndWait() }
    let client = try BlockingClient(connectTo: address, receiveBufferBytes: 4 * 1024)
    client.send(Array("fill".utf8))
    #expect(waitUntil { writability.count == 1 })
    #expect(writability.snapshot == [false])
    // Writing stopped at the watermark: 64 KiB queued, in 16 KiB chunks.
    let received = client.receive(count: 64 * 1024)
    #expect(received.count == 64 * 1024)
    #expect(waitUntil { writability.count == 2 })
    #expect(writability.snapshot == [false, true])
    #expect(closes.count == 0)
  }

  @Test("a paused connection delivers nothing until reading resumes, then everything in order")
  func pauseAndResumeReading() throws {
    final class Pauser: ListenerHandler, ConnectionHandler {
      let events: Recorder<String>
      init(events: Recorder<String>) { self.events = events }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connectionActive(_ connection: Connection) {
        connection.pauseReading()
        connection.loop.scheduleTimer(afterMs: 50) { [events] in
          events.append("resumed")
          connection.resumeReading()
        }
      }
      func connection(_ connection: Connection, received bytes: [UInt8]) {
        events.append(String(decoding: bytes, as: UTF8.self))
      }
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    let events = Recorder<String>()
    let loop = try EventLoop(name: "pauser")
    defer { loop.shutdownAndWait() }
    let address = try loop.runAndWait {
      try loop.listen(on: .loopback(port: 0), handler: Pauser(events: events)).localAddress
    }
    let client = try BlockingClient(connectTo: address)
    client.send(Array("abc".utf8))
    #expect(waitUntil { events.snapshot.joined() == "resumedabc" })
    #expect(events.snapshot.first == "resumed")
  }

  @Test("echoes stay intact while the server pauses and resumes reading at random")
  func randomPausesKeepStreamsIntact() throws {
    final class Flaky: ListenerHandler, ConnectionHandler {
      var random = SeededRandom(seed: 5)
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connection(_ connection: Connection, received bytes: [UInt8]) {
        connection.write(bytes)
        guard Int.random(in: 0..<4, using: &random) == 0 else { return }
        connection.pauseReading()
        connection.loop.scheduleTimer(afterMs: Int64.random(in: 0...3, using: &random)) {
          if !connection.isClosed { connection.resumeReading() }
        }
      }
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    let server = try EventLoop(name: "flaky")
    defer { server.shutdownAndWait() }
    var options = ListenerOptions()
    options.connectionOptions.readBytesPerTurnMax = 1_000
    let address = try server.runAndWait { [options] in
      try server.listen(on: .loopback(port: 0), options: options, handler: Flaky()).localAddress
    }
    let clients = (0..<20).compactMap { _ in try? BlockingClient(connectTo: address) }
    #expect(clients.count == 20)
    for (index, client) in clients.enumerated() { client.send(patternBytes(count: 50_000, seed: index)) }
    for (index, client) in clients.enumerated() {
      #expect(client.receive(count: 50_000) == patternBytes(count: 50_000, seed: index))
    }
  }
}

import Testing

@testable import Transport

@Suite("Closing: end of file, reset, half-close, abort")
struct CloseTests {
  @Test("the peer's end of file closes the connection after the reply is flushed, reason peerClosed")
  func peerEndOfFileIsReported() throws {
    let closes = Recorder<CloseReason>()
    let (server, address) = try startEchoServer(closes: closes)
    defer { server.shutdownAndWait() }
    let client = try BlockingClient(connectTo: address)
    client.send(Array("bye".utf8))
    client.shutdownWrite()
    let (received, sawEndOfFile) = client.receiveUntilEndOfFile()
    #expect(received == Array("bye".utf8))
    #expect(sawEndOfFile)
    #expect(waitUntil { closes.count == 1 })
    #expect(closes.snapshot == [.peerClosed])
  }

  @Test("a reset from the peer is reported as reset")
  func peerResetIsReported() throws {
    let closes = Recorder<CloseReason>()
    let (server, address) = try startEchoServer(closes: closes)
    defer { server.shutdownAndWait() }
    let client = try BlockingClient(connectTo: address)
    client.send([1])
    #expect(client.receive(count: 1) == [1])
    client.reset()
    #expect(waitUntil { closes.count == 1 })
    #expect(closes.snapshot == [.reset])
  }

  @Test("with half-closure allowed the handler hears the end of file and may still reply before closing")
  func halfClosureLetsHandlerReply() throws {
    final class Summarizer: ListenerHandler, ConnectionHandler {
      let events: Recorder<String>
      var total = 0
      init(events: Recorder<String>) { self.events = events }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connection(_ connection: Connection, received bytes: [UInt8]) { total += bytes.count }
      func connectionInputClosed(_ connection: Connection) {
        events.append("input closed")
        connection.write(Array("got \(total)".utf8))
        connection.close()
      }
      func connectionClosed(_ connection: Connection, reason: CloseReason) { events.append("\(reason)") }
    }
    let events = Recorder<String>()
    let loop = try EventLoop(name: "half-close")
    defer { loop.shutdownAndWait() }
    var options = ListenerOptions()
    options.connectionOptions.allowHalfClosure = true
    let address = try loop.runAndWait { [options] in
      try loop.listen(on: .loopback(port: 0), options: options, handler: Summarizer(events: events))
        .localAddress
    }
    let client = try BlockingClient(connectTo: address)
    client.send(patternBytes(count: 1000))
    client.shutdownWrite()
    let (received, sawEndOfFile) = client.receiveUntilEndOfFile()
    #expect(String(decoding: received, as: UTF8.self) == "got 1000")
    #expect(sawEndOfFile)
    #expect(waitUntil { events.count == 2 })
    #expect(events.snapshot == ["input closed", "\(CloseReason.closedLocally)"])
  }

  @Test("abort drops queued bytes and resets the peer; writes after close are refused")
  func abortResetsPeer() throws {
    final class Aborter: ListenerHandler, ConnectionHandler {
      let results: Recorder<Bool>
      let closes: Recorder<CloseReason>
      init(results: Recorder<Bool>, closes: Recorder<CloseReason>) {
        self.results = results
        self.closes = closes
      }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connection(_ connection: Connection, received bytes: [UInt8]) {
        connection.write(patternBytes(count: 1000))
        connection.abort()
        results.append(connection.write([1]))
        results.append(connection.isClosed)
      }
      func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
    }
    let results = Recorder<Bool>()
    let closes = Recorder<CloseReason>()
    let loop = try EventLoop(name: "abort")
    defer { loop.shutdownAndWait() }
    let address = try loop.runAndWait {
      try loop.listen(on: .loopback(port: 0), handler: Aborter(results: results, closes: closes)).localAddress
    }
    let client = try BlockingClient(connectTo: address)
    client.send([0])
    let (received, sawEndOfFile) = client.receiveUntilEndOfFile()
    #expect(received.isEmpty)
    #expect(!sawEndOfFile)  // a reset, not an orderly end of file
    #expect(waitUntil { closes.count == 1 })
    #expect(results.snapshot == [false, true])
    #expect(closes.snapshot == [.aborted])
  }

  @Test("a graceful close whose queue cannot drain aborts after closeTimeoutMs")
  func gracefulCloseTimesOut() throws {
    final class Closer: ListenerHandler, ConnectionHandler {
      let closes: Recorder<CloseReason>
      init(closes: Recorder<CloseReason>) { self.closes = closes }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connectionActive(_ connection: Connection) {
        connection.write(patternBytes(count: 2 << 20))
        connection.close()
      }
      func connection(_ connection: Connection, received bytes: [UInt8]) {}
      func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
    }
    let closes = Recorder<CloseReason>()
    let loop = try EventLoop(name: "close-timeout")
    defer { loop.shutdownAndWait() }
    var options = ListenerOptions()
    options.connectionOptions.closeTimeoutMs = 100
    options.connectionOptions.sendBufferBytes = 8 * 1024
    options.connectionOptions.writeQueueHighWatermarkBytes = 4 << 20
    options.connectionOptions.writeQueueBytesMax = 4 << 20
    let address = try loop.runAndWait { [options] in
      try loop.listen(on: .loopback(port: 0), options: options, handler: Closer(closes: closes)).localAddress
    }
    let client = try BlockingClient(connectTo: address, receiveBufferBytes: 4 * 1024)
    #expect(waitUntil { closes.count == 1 })
    #expect(closes.snapshot == [.closeTimedOut])
    withExtendedLifetime(client) {}
  }

  @Test("a reset while reading is paused is reported once, as reset, without spinning")
  func resetWhilePausedIsReported() throws {
    final class PausedHandler: ListenerHandler, ConnectionHandler {
      let closes: Recorder<CloseReason>
      let active: Recorder<Bool>
      init(closes: Recorder<CloseReason>, active: Recorder<Bool>) {
        self.closes = closes
        self.active = active
      }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connectionActive(_ connection: Connection) {
        connection.pauseReading()
        active.append(true)
      }
      func connection(_ connection: Connection, received bytes: [UInt8]) {}
      func connectionClosed(_ connection: Connection, reason: CloseReason) { closes.append(reason) }
    }
    let closes = Recorder<CloseReason>()
    let active = Recorder<Bool>()
    let loop = try EventLoop(name: "paused-reset")
    defer { loop.shutdownAndWait() }
    let address = try loop.runAndWait {
      try loop.listen(on: .loopback(port: 0), handler: PausedHandler(closes: closes, active: active))
        .localAddress
    }
    let client = try BlockingClient(connectTo: address)
    #expect(waitUntil { active.count == 1 })
    let turnsBefore = try loop.runAndWait { loop.turnCount }
    client.send([1, 2, 3])
    client.reset()
    #expect(waitUntil { closes.count == 1 })
    #expect(closes.snapshot == [.reset])
    // The hang-up was handled once; a loop that ignored it would turn continuously.
    let turnsAfter = try loop.runAndWait { loop.turnCount }
    #expect(turnsAfter - turnsBefore < 50)
  }
}

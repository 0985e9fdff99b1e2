import CLinuxShims
import Glibc
import Synchronization
import Testing

@testable import Transport

/// Records how an outgoing connection ended up.
private final class Outcome: ConnectionHandler {
  enum Event: Equatable, Sendable {
    case active(local: SocketAddress)
    case closed(CloseReason)
  }
  let events: Recorder<Event>
  init(events: Recorder<Event>) { self.events = events }
  func connectionActive(_ connection: Connection) { events.append(.active(local: connection.localAddress)) }
  func connection(_ connection: Connection, received bytes: [UInt8]) {}
  func connectionClosed(_ connection: Connection, reason: CloseReason) { events.append(.closed(reason)) }
}

@Suite("Outgoing connections")
struct ConnectTests {
  @Test("connecting to a closed port reports connectFailed(ECONNREFUSED) to the handler")
  func connectToClosedPortFails() throws {
    let loop = try EventLoop(name: "refused")
    defer { loop.shutdownAndWait() }
    // A port that was just free: bind one, note it, close it.
    let freePort = try loop.runAndWait {
      let listener = try loop.listen(on: .loopback(port: 0), handler: EchoServer())
      listener.close()
      return listener.localAddress.port
    }
    let events = Recorder<Outcome.Event>()
    try loop.runAndWait {
      _ = try loop.connect(to: .loopback(port: freePort), handler: Outcome(events: events))
    }
    #expect(waitUntil { events.count == 1 })
    #expect(events.snapshot == [.closed(.connectFailed(errno: ECONNREFUSED))])
  }

  @Test("a connection bound to source 127.0.0.2 shows that address at the server")
  func sourceAddressIsSeenByServer() throws {
    let peers = Recorder<SocketAddress>()
    let (server, address) = try startEchoServer(peers: peers)
    defer { server.shutdownAndWait() }
    let loop = try EventLoop(name: "source")
    defer { loop.shutdownAndWait() }
    let events = Recorder<Outcome.Event>()
    let source = try SocketAddress(host: "127.0.0.2", port: 0)
    try loop.runAndWait {
      _ = try loop.connect(to: address, from: source, handler: Outcome(events: events))
    }
    #expect(waitUntil { events.count == 1 && peers.count == 1 })
    #expect(peers.snapshot.map(\.host) == ["127.0.0.2"])
    guard case .active(let local) = events.snapshot.first else {
      Issue.record("connection did not become active: \(events.snapshot)")
      return
    }
    #expect(local.host == "127.0.0.2")
    #expect(local == peers.snapshot.first)
  }

  @Test("bytes written while connecting are sent once connected")
  func writesBeforeConnectAreSent() throws {
    let (server, address) = try startEchoServer()
    defer { server.shutdownAndWait() }
    let loop = try EventLoop(name: "early-writes")
    defer { loop.shutdownAndWait() }
    final class Collector: ConnectionHandler {
      let received: Recorder<[UInt8]>
      init(received: Recorder<[UInt8]>) { self.received = received }
      func connection(_ connection: Connection, received bytes: [UInt8]) { received.append(bytes) }
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    let received = Recorder<[UInt8]>()
    try loop.runAndWait {
      let connection = try loop.connect(to: address, handler: Collector(received: received))
      #expect(connection.write(Array("early".utf8)))
    }
    #expect(waitUntil { received.snapshot.joined().count == 5 })
    #expect(Array(received.snapshot.joined()) == Array("early".utf8))
  }

  @Test("a write past the high watermark while connecting is reported after connectionActive")
  func writabilityWaitsForActive() throws {
    // A server that never reads, so the client's queue stays above its watermark once connected.
    final class Deaf: ListenerHandler, ConnectionHandler {
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connectionActive(_ connection: Connection) { connection.pauseReading() }
      func connection(_ connection: Connection, received bytes: [UInt8]) {}
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    final class Ordered: ConnectionHandler {
      let events: Recorder<String>
      init(events: Recorder<String>) { self.events = events }
      func connectionActive(_ connection: Connection) { events.append("active") }
      func connectionWritabilityChanged(_ connection: Connection) {
        events.append(connection.isWritable ? "writable" : "not writable")
      }
      func connection(_ connection: Connection, received bytes: [UInt8]) {}
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    let server = try EventLoop(name: "deaf")
    defer { server.shutdownAndWait() }
    var serverOptions = ListenerOptions()
    serverOptions.connectionOptions.receiveBufferBytes = 4 * 1024
    let address = try server.runAndWait { [serverOptions] in
      try server.listen(on: .loopback(port: 0), options: serverOptions, handler: Deaf()).localAddress
    }
    let loop = try EventLoop(name: "early-full")
    defer { loop.shutdownAndWait() }
    let events = Recorder<String>()
    var options = ConnectionOptions()
    options.sendBufferBytes = 8 * 1024
    options.writeQueueHighWatermarkBytes = 256 * 1024
    options.writeQueueLowWatermarkBytes = 128 * 1024
    try loop.runAndWait { [options] in
      let connection = try loop.connect(to: address, options: options, handler: Ordered(events: events))
      connection.write(patternBytes(count: 1 << 20))
    }
    #expect(waitUntil { events.count >= 2 })
    #expect(events.snapshot == ["active", "not writable"])
  }

  @Test("a connect that gets no answer reports connectTimedOut after its timeout")
  func connectTimesOut() throws {
    // A listening socket that never accepts, with the smallest backlog: once its accept queue is full
    // Linux drops further SYNs, so those connects get no answer.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    #expect(grove_bind_ipv4(fd, 0x7F00_0001, 0) == 0)
    #expect(listen(fd, 0) == 0)
    var address: UInt32 = 0
    var port: UInt16 = 0
    #expect(grove_local_address_ipv4(fd, &address, &port) == 0)
    let loop = try EventLoop(name: "timeout")
    defer { loop.shutdownAndWait() }
    let events = Recorder<Outcome.Event>()
    let attempts = 6
    try loop.runAndWait { [port] in
      for _ in 0..<attempts {
        try loop.connect(to: .loopback(port: port), timeoutMs: 300, handler: Outcome(events: events))
      }
    }
    #expect(
      waitUntil {
        events.snapshot.filter { if case .closed = $0 { true } else { false } }.count >= attempts - 2
      })
    let timedOut = events.snapshot.filter { $0 == .closed(.connectTimedOut) }.count
    #expect(timedOut >= 1)
    for event in events.snapshot {
      switch event {
      case .active, .closed(.connectTimedOut): continue
      default: Issue.record("unexpected outcome \(event)")
      }
    }
  }
}

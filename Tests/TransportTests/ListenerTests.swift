import Glibc
import Testing

@testable import Transport

@Suite("Listeners: binding and connection limits")
struct ListenerTests {
  @Test("port 0 binds an ephemeral port, reported in localAddress; 127.0.0.x and 0.0.0.0 both listen")
  func ephemeralPortIsReported() throws {
    for host in ["127.0.0.1", "127.0.0.5", "0.0.0.0"] {
      let (server, address) = try startEchoServer(on: host)
      defer { server.shutdownAndWait() }
      #expect(address.port != 0)
      #expect(address.host == host)
      let target = host == "0.0.0.0" ? SocketAddress.loopback(port: address.port) : address
      let client = try BlockingClient(connectTo: target)
      client.send([7, 8, 9])
      #expect(client.receive(count: 3) == [7, 8, 9])
    }
  }

  @Test("binding a port already in use throws EADDRINUSE")
  func bindingTakenPortThrows() throws {
    let (server, address) = try startEchoServer()
    defer { server.shutdownAndWait() }
    #expect(throws: TransportError.system(call: "bind(\(address))", errno: EADDRINUSE)) {
      try server.runAndWait { _ = try server.listen(on: address, handler: EchoServer()) }
    }
  }

  @Test("connections past the per-host limit are refused by closing; other hosts are still accepted")
  func perHostLimitRefuses() throws {
    var options = ListenerOptions()
    options.connectionsPerHostMax = 2
    let refusals = Recorder<RefusalReason>()
    let closes = Recorder<CloseReason>()
    let (server, address) = try startEchoServer(options: options, closes: closes, refusals: refusals)
    defer { server.shutdownAndWait() }
    let first = try BlockingClient(connectTo: address)
    let second = try BlockingClient(connectTo: address)
    for client in [first, second] {
      client.send([1])
      #expect(client.receive(count: 1) == [1])
    }
    let third = try BlockingClient(connectTo: address)
    #expect(third.receiveUntilEndOfFile() == ([], true))
    #expect(waitUntil { refusals.count == 1 })
    #expect(refusals.snapshot == [.hostLimit])
    let otherHost = try BlockingClient(
      connectTo: address, from: try SocketAddress(host: "127.0.0.3", port: 0))
    otherHost.send([2])
    #expect(otherHost.receive(count: 1) == [2])
    // Once one closes, the host may connect again.
    first.close()
    #expect(waitUntil { closes.count == 1 })
    let again = try BlockingClient(connectTo: address)
    again.send([3])
    #expect(again.receive(count: 1) == [3])
    #expect(refusals.count == 1)
  }

  @Test("connections past the listener's limit are refused by closing, whatever their host")
  func listenerLimitRefuses() throws {
    var options = ListenerOptions()
    options.connectionsMax = 2
    let refusals = Recorder<RefusalReason>()
    let (server, address) = try startEchoServer(options: options, refusals: refusals)
    defer { server.shutdownAndWait() }
    let clients = try ["127.0.0.1", "127.0.0.2"].map {
      try BlockingClient(connectTo: address, from: try SocketAddress(host: $0, port: 0))
    }
    for client in clients {
      client.send([1])
      #expect(client.receive(count: 1) == [1])
    }
    let refused = try BlockingClient(connectTo: address, from: try SocketAddress(host: "127.0.0.3", port: 0))
    #expect(refused.receiveUntilEndOfFile() == ([], true))
    #expect(waitUntil { refusals.count == 1 })
    #expect(refusals.snapshot == [.listenerFull])
    #expect(try server.runAndWait { server.connectionCount } == 2)
  }

  @Test("the handler's admission hook can refuse a connection")
  func handlerHookRefuses() throws {
    final class Picky: ListenerHandler, ConnectionHandler {
      let refusals: Recorder<RefusalReason>
      init(refusals: Recorder<RefusalReason>) { self.refusals = refusals }
      func listener(_ listener: Listener, shouldAccept peer: SocketAddress) -> Bool {
        peer.host != "127.0.0.9"
      }
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason) {
        refusals.append(reason)
      }
      func connection(_ connection: Connection, received bytes: [UInt8]) { connection.write(bytes) }
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    let refusals = Recorder<RefusalReason>()
    let loop = try EventLoop(name: "picky")
    defer { loop.shutdownAndWait() }
    let address = try loop.runAndWait {
      try loop.listen(on: .loopback(port: 0), handler: Picky(refusals: refusals)).localAddress
    }
    let refused = try BlockingClient(connectTo: address, from: try SocketAddress(host: "127.0.0.9", port: 0))
    #expect(refused.receiveUntilEndOfFile() == ([], true))
    #expect(waitUntil { refusals.count == 1 })
    #expect(refusals.snapshot == [.rejectedByHandler])
    let accepted = try BlockingClient(connectTo: address)
    accepted.send([5])
    #expect(accepted.receive(count: 1) == [5])
  }
}

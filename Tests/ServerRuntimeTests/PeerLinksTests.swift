import PeerWire
import RaftCore
import Synchronization
import Testing
import Transport

import func Glibc.usleep

@testable import ServerRuntime

/// Every wait in these tests gives up after this long, so a broken link fails instead of hanging.
private let peerWaitLimitMs: UInt64 = 10_000

/// Polls `condition` every 2 ms until it holds or the wait limit passes; returns whether it held.
private func waitFor(_ condition: () -> Bool) -> Bool {
  let deadlineNs = EventLoop.monotonicNowNs() + peerWaitLimitMs * 1_000_000
  while !condition() {
    if EventLoop.monotonicNowNs() > deadlineNs { return false }
    usleep(2_000)
  }
  return true
}

/// What a node's links delivered and logged, appended on its loop thread, read by the test.
private final class Recorded: Sendable {
  private let messagesStore = Mutex<[Delivered]>([])
  private let linesStore = Mutex<[String]>([])

  struct Delivered: Sendable, Equatable {
    var from: NodeID
    var message: PeerMessage
  }

  func deliver(_ from: NodeID, _ message: PeerMessage) {
    messagesStore.withLock { $0.append(Delivered(from: from, message: message)) }
  }
  func log(_ line: String) { linesStore.withLock { $0.append(line) } }
  var messages: [Delivered] { messagesStore.withLock { $0 } }
  var lines: [String] { linesStore.withLock { $0 } }
  func logged(_ text: String) -> Bool { lines.contains { $0.contains(text) } }
}

/// Accepts nothing on its own; used to find a free port on a host.
private final class NoListener: ListenerHandler {
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { FakePeer() }
}

/// A hand-driven peer for hostile cases: says `hello` (any bytes) when active, then does
/// `onActive`; ignores what it receives; tells `onClosed` why it closed.
private final class FakePeer: ListenerHandler, ConnectionHandler {
  var hello: [UInt8] = []
  var onActive: (Connection) -> Void = { _ in }
  var onClosed: (CloseReason) -> Void = { _ in }
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
  func connectionActive(_ connection: Connection) {
    connection.write(hello)
    onActive(connection)
  }
  func connection(_ connection: Connection, received bytes: [UInt8]) {}
  func connectionClosed(_ connection: Connection, reason: CloseReason) { onClosed(reason) }
}

/// Dials `address` from `source` on `loop` as a fake node saying `hello` (any bytes); returns what
/// the fake's connection heard when it closed, as recorded lines.
private func dialAsFake(
  loop: EventLoop, to address: SocketAddress, from source: SocketAddress, hello: [UInt8]
) throws -> Recorded {
  let closed = Recorded()
  try loop.runAndWait { () throws -> Void in
    let fake = FakePeer()
    fake.hello = hello
    fake.onClosed = { closed.log("\($0)") }
    try loop.connect(to: address, from: source, handler: fake)
  }
  return closed
}

/// One node: its own event loop (as if its own process) and its peer links.
private final class PeerNode: @unchecked Sendable {
  // Safe to share: `links` is read and written only inside closures that run on `loop`'s thread
  // (`runAndWait`), which runs them one at a time; every other stored property is immutable and
  // Sendable.
  let loop: EventLoop
  let id: NodeID
  let address: SocketAddress
  let recorded = Recorded()
  private var links: PeerLinks?

  init(id: UInt64) throws {
    self.id = NodeID(id)
    let loop = try EventLoop(name: "peer-test-\(id)")
    self.loop = loop
    let host = "127.0.0.\(10 + id)"
    // A free port on this node's host: bind port 0, note it, release it.
    let port = try loop.runAndWait { () throws -> UInt16 in
      let probe = try loop.listen(on: SocketAddress(host: host, port: 0), handler: NoListener())
      defer { probe.close() }
      return probe.localAddress.port
    }
    address = try SocketAddress(host: host, port: port)
  }

  /// Starts (or, after `stopLinks`, restarts) this node's links with the given peers.
  func start(peers: [PeerNode], clusterID: UInt64 = 7, options: PeerLinkOptions = PeerLinkOptions()) throws {
    var addresses: [NodeID: SocketAddress] = [:]
    for peer in peers { addresses[peer.id] = peer.address }
    try start(addresses: addresses, clusterID: clusterID, options: options)
  }

  func start(addresses: [NodeID: SocketAddress], clusterID: UInt64, options: PeerLinkOptions) throws {
    let recorded = self.recorded
    let (id, address, loop) = (self.id, self.address, self.loop)
    try loop.runAndWait { [self] () throws -> Void in
      let links = PeerLinks(
        loop: loop, selfID: id, clusterID: clusterID, listenAddress: address, peers: addresses,
        options: options, log: { recorded.log($0) }, onMessage: { recorded.deliver($0, $1) })
      self.links = links
      try links.start()
    }
  }

  /// Runs `body` with the links on the loop thread and returns its result.
  func on<T: Sendable>(_ body: @escaping @Sendable (PeerLinks) -> T) -> T {
    // runAndWait throws only when the loop has shut down, which these tests do last.
    try! loop.runAndWait { [self] in
      let result = body(links!)
      links!.checkInvariants()
      return result
    }
  }

  var connectedPeers: [NodeID] { on { $0.connectedPeers } }

  func stopLinks() { on { $0.stop() } }

  func shutdown() {
    _ = try? loop.runAndWait { [self] in links?.stop() }
    loop.shutdownAndWait()
  }
}

/// A Raft message from `from` to `to` with recognisable fields.
private func raftMessage(from: NodeID, to: NodeID, seed: UInt64) -> Message {
  Message(
    kind: .append, from: from, to: to, term: Term(seed), logTerm: Term(1), index: LogIndex(seed),
    entries: [Entry(term: Term(seed), index: LogIndex(seed + 1), data: [UInt8(truncatingIfNeeded: seed)])],
    commit: LogIndex(seed), context: [1, 2],
    snapshot: SnapshotMetadata(index: LogIndex(3), term: Term(1), confState: ConfState(voters: [from, to])),
    snapshotOffset: seed, chunk: [9, 9], snapshotDone: true)
}

@Suite("PeerLinks over real sockets")
struct PeerLinksTests {
  @Test("three nodes connect and exchange messages of every kind both ways")
  func threeNodesExchangeEveryKind() throws {
    let nodes = try (1...3).map { try PeerNode(id: UInt64($0)) }
    defer { for node in nodes { node.shutdown() } }
    for node in nodes { try node.start(peers: nodes.filter { $0 !== node }) }
    #expect(waitFor { nodes.allSatisfy { $0.connectedPeers.count == 2 } })
    #expect(nodes[0].connectedPeers == [NodeID(2), NodeID(3)])
    var expected: [NodeID: [Recorded.Delivered]] = [:]
    for sender in nodes {
      for receiver in nodes where receiver !== sender {
        let messages: [PeerMessage] = [
          .raft(
            raftMessage(
              from: sender.id, to: receiver.id, seed: sender.id.rawValue * 10 + receiver.id.rawValue)),
          .forward(ForwardedCommands(from: sender.id, payload: [UInt8(sender.id.rawValue), 0xFF])),
          .sessionActivity([Int64(sender.id.rawValue), -1, Int64.max]),
        ]
        let to = receiver.id
        let sent = sender.on { links in messages.map { links.send($0, to: to) } }
        #expect(sent == [true, true, true])
        expected[receiver.id, default: []] += messages.map {
          Recorded.Delivered(from: sender.id, message: $0)
        }
      }
    }
    for node in nodes {
      let want = expected[node.id] ?? []
      #expect(waitFor { node.recorded.messages.count >= want.count })
      // Order holds per sender (one connection each); senders interleave arbitrarily.
      for sender in nodes where sender !== node {
        #expect(
          node.recorded.messages.filter { $0.from == sender.id } == want.filter { $0.from == sender.id })
      }
    }
  }

  @Test("the accepting side sees the dialer's own host as the source address")
  func dialerBindsItsOwnHost() throws {
    let nodes = try (1...3).map { try PeerNode(id: UInt64($0)) }
    defer { for node in nodes { node.shutdown() } }
    for node in nodes { try node.start(peers: nodes.filter { $0 !== node }) }
    #expect(waitFor { nodes.allSatisfy { $0.connectedPeers.count == 2 } })
    #expect(nodes[1].on { $0.remoteAddress(of: NodeID(1))?.host } == "127.0.0.11")
    #expect(nodes[2].on { $0.remoteAddress(of: NodeID(1))?.host } == "127.0.0.11")
    #expect(nodes[2].on { $0.remoteAddress(of: NodeID(2))?.host } == "127.0.0.12")
    // The dialer reached the acceptor's listening address itself.
    #expect(nodes[0].on { $0.remoteAddress(of: NodeID(3)) } == nodes[2].address)
  }

  @Test("a node announcing another cluster id is refused by both sides")
  func otherClusterRefused() throws {
    let one = try PeerNode(id: 1)
    let two = try PeerNode(id: 2)
    defer { for node in [one, two] { node.shutdown() } }
    try one.start(peers: [two], clusterID: 7)
    try two.start(peers: [one], clusterID: 8)
    #expect(
      waitFor {
        two.recorded.logged("refused peer connection") && one.recorded.logged("refused peer connection")
      })
    #expect(two.recorded.logged("node 1 is in cluster 7, this node in cluster 8"))
    #expect(one.recorded.logged("node 2 is in cluster 8, this node in cluster 7"))
    #expect(one.connectedPeers.isEmpty)
    #expect(two.connectedPeers.isEmpty)
  }

  @Test("a node that is not a configured peer is refused")
  func unknownPeerRefused() throws {
    let one = try PeerNode(id: 1)
    let two = try PeerNode(id: 2)
    let three = try PeerNode(id: 3)
    defer { for node in [one, two, three] { node.shutdown() } }
    try one.start(peers: [two])
    try two.start(peers: [three])
    #expect(waitFor { two.recorded.logged("node 1 is not a configured peer") })
    #expect(two.connectedPeers.isEmpty)
    // The dialer heard the acceptor's hello before the refusal closed the connection, so it
    // may count the link as up until that close reaches it.
    #expect(waitFor { one.connectedPeers.isEmpty })
  }

  @Test("the dialer's link comes back after the accepting node stops and starts again")
  func reconnectsAfterAcceptorRestarts() throws {
    let one = try PeerNode(id: 1)
    let two = try PeerNode(id: 2)
    defer { for node in [one, two] { node.shutdown() } }
    try one.start(peers: [two])
    try two.start(peers: [one])
    #expect(waitFor { one.connectedPeers == [NodeID(2)] })
    two.stopLinks()
    #expect(waitFor { one.connectedPeers.isEmpty })
    #expect(waitFor { one.recorded.logged("peer dial to node 2") })  // refused while node 2 is down
    try two.start(peers: [one])
    #expect(waitFor { one.connectedPeers == [NodeID(2)] && two.connectedPeers == [NodeID(1)] })
    let message = PeerMessage.sessionActivity([42])
    #expect(one.on { $0.send(message, to: NodeID(2)) })
    #expect(waitFor { two.recorded.messages.contains(Recorded.Delivered(from: NodeID(1), message: message)) })
  }

  @Test("the accepting node takes the new link of a dialer that stopped and started again")
  func acceptsRestartedDialer() throws {
    let one = try PeerNode(id: 1)
    let two = try PeerNode(id: 2)
    defer { for node in [one, two] { node.shutdown() } }
    try one.start(peers: [two])
    try two.start(peers: [one])
    #expect(waitFor { two.connectedPeers == [NodeID(1)] })
    one.stopLinks()
    #expect(waitFor { two.connectedPeers.isEmpty })
    try one.start(peers: [two])
    #expect(waitFor { two.connectedPeers == [NodeID(1)] && one.connectedPeers == [NodeID(2)] })
    let message = PeerMessage.forward(ForwardedCommands(from: NodeID(2), payload: [7]))
    #expect(two.on { $0.send(message, to: NodeID(1)) })
    #expect(waitFor { one.recorded.messages.contains(Recorded.Delivered(from: NodeID(2), message: message)) })
  }

  @Test("a second connection from the same peer replaces the first")
  func secondConnectionReplacesFirst() throws {
    let one = try PeerNode(id: 1)
    let two = try PeerNode(id: 2)
    // Node 1 again, from another process on the same host (its own loop and port).
    let oneAgain = try PeerNode(id: 1)
    defer { for node in [one, two, oneAgain] { node.shutdown() } }
    var slow = PeerLinkOptions()
    slow.backoffInitialMs = 60_000  // the replaced node must not take the link back during the test
    slow.backoffMaxMs = 60_000
    try two.start(peers: [one])
    try one.start(peers: [two], options: slow)
    #expect(waitFor { two.connectedPeers == [NodeID(1)] && one.connectedPeers == [NodeID(2)] })
    try oneAgain.start(peers: [two], options: slow)
    #expect(waitFor { oneAgain.connectedPeers == [NodeID(2)] && one.connectedPeers.isEmpty })
    #expect(two.connectedPeers == [NodeID(1)])
    #expect(two.recorded.logged("replaced by a new connection"))
    let message = PeerMessage.sessionActivity([5])
    #expect(two.on { $0.send(message, to: NodeID(1)) })
    #expect(
      waitFor { oneAgain.recorded.messages.contains(Recorded.Delivered(from: NodeID(2), message: message)) })
  }

  @Test("a peer that never reads makes send return false while the queue stays bounded")
  func peerThatNeverReads() throws {
    let one = try PeerNode(id: 1)
    let fakeLoop = try EventLoop(name: "peer-test-fake")
    defer {
      one.shutdown()
      fakeLoop.shutdownAndWait()
    }
    let fakeAddress = try SocketAddress(host: "127.0.0.12", port: 0)
    let fakeBound = try fakeLoop.runAndWait { () throws -> SocketAddress in
      let fake = FakePeer()
      fake.hello = PeerMessage.hello(PeerHello(clusterID: 7, nodeID: NodeID(2))).encodedFrame()
      fake.onActive = { $0.pauseReading() }
      return try fakeLoop.listen(on: fakeAddress, handler: fake).localAddress
    }
    var options = PeerLinkOptions()
    options.writeQueueHighWatermarkBytes = 256 * 1024
    options.writeQueueLowWatermarkBytes = 64 * 1024
    options.frameBytesMax = 1 << 20
    try one.start(addresses: [NodeID(2): fakeBound], clusterID: 7, options: options)
    #expect(waitFor { one.connectedPeers == [NodeID(2)] })
    let message = PeerMessage.raft(
      Message(
        kind: .append, from: NodeID(1), to: NodeID(2),
        entries: [Entry(term: Term(1), index: LogIndex(1), data: [UInt8](repeating: 3, count: 60_000))]))
    let frameBytes = message.encodedFrame().count
    var refusedAtRound: Int?
    var queuedMax = 0
    for round in 0..<5_000 {
      let (accepted, queued) = one.on { links in
        (links.send(message, to: NodeID(2)), links.queuedBytes(to: NodeID(2)))
      }
      queuedMax = max(queuedMax, queued)
      if !accepted {
        refusedAtRound = round
        break
      }
    }
    #expect(refusedAtRound != nil, "send never returned false")
    #expect(queuedMax <= options.writeQueueHighWatermarkBytes + frameBytes)
    // Still refusing, still bounded, and the link is kept (Raft retransmits once it drains).
    for _ in 0..<20 {
      let (accepted, queued) = one.on { links in
        (links.send(message, to: NodeID(2)), links.queuedBytes(to: NodeID(2)))
      }
      #expect(!accepted)
      #expect(queued <= options.writeQueueHighWatermarkBytes + frameBytes)
    }
    #expect(one.connectedPeers == [NodeID(2)])
    #expect(one.on { $0.droppedMessageCount } >= 21)
  }

  @Test("a frame over the bound closes the link")
  func frameOverBoundClosesLink() throws {
    let one = try PeerNode(id: 1)
    let fakeLoop = try EventLoop(name: "peer-test-fake")
    defer {
      one.shutdown()
      fakeLoop.shutdownAndWait()
    }
    let fakeAddress = try SocketAddress(host: "127.0.0.12", port: 0)
    let fakeBound = try fakeLoop.runAndWait { () throws -> SocketAddress in
      let fake = FakePeer()
      // A valid hello, then a frame header announcing 2 MiB against a 1 MiB bound.
      fake.hello =
        PeerMessage.hello(PeerHello(clusterID: 7, nodeID: NodeID(2))).encodedFrame() + [0, 0x20, 0, 0, 2]
      return try fakeLoop.listen(on: fakeAddress, handler: fake).localAddress
    }
    var options = PeerLinkOptions()
    options.frameBytesMax = 1 << 20
    options.backoffInitialMs = 60_000
    options.backoffMaxMs = 60_000
    try one.start(addresses: [NodeID(2): fakeBound], clusterID: 7, options: options)
    #expect(waitFor { one.recorded.logged("over the bound") })
    #expect(waitFor { one.recorded.logged("peer link down: node 2") })
    #expect(one.connectedPeers.isEmpty)
  }

  @Test("a message over the frame bound is not sent, and the link stays up")
  func messageOverBoundNotSent() throws {
    let one = try PeerNode(id: 1)
    let two = try PeerNode(id: 2)
    defer { for node in [one, two] { node.shutdown() } }
    var options = PeerLinkOptions()
    options.frameBytesMax = 4096
    try one.start(peers: [two], options: options)
    try two.start(peers: [one], options: options)
    #expect(waitFor { one.connectedPeers == [NodeID(2)] })
    let big = PeerMessage.forward(
      ForwardedCommands(from: NodeID(1), payload: [UInt8](repeating: 0, count: 4096)))
    #expect(!one.on { $0.send(big, to: NodeID(2)) })
    #expect(one.recorded.logged("over the 4096-byte bound"))
    let small = PeerMessage.forward(ForwardedCommands(from: NodeID(1), payload: [1]))
    #expect(one.on { $0.send(small, to: NodeID(2)) })
    #expect(waitFor { two.recorded.messages == [Recorded.Delivered(from: NodeID(1), message: small)] })
  }

  @Test("a connection that never says hello is closed after the hello timeout")
  func helloTimeout() throws {
    let two = try PeerNode(id: 2)
    let fakeLoop = try EventLoop(name: "peer-test-fake")
    defer {
      two.shutdown()
      fakeLoop.shutdownAndWait()
    }
    var options = PeerLinkOptions()
    options.helloTimeoutMs = 100
    try two.start(
      addresses: [NodeID(1): try SocketAddress(host: "127.0.0.11", port: 1)], clusterID: 7, options: options)
    let closed = try dialAsFake(
      loop: fakeLoop, to: two.address, from: try SocketAddress(host: "127.0.0.11", port: 0), hello: [])
    #expect(waitFor { two.recorded.logged("no hello within 100 ms") })
    #expect(waitFor { closed.lines == ["peer closed"] })
    #expect(two.connectedPeers.isEmpty)
  }

  @Test("a hello of another protocol version is refused")
  func otherVersionRefused() throws {
    let two = try PeerNode(id: 2)
    let fakeLoop = try EventLoop(name: "peer-test-fake")
    defer {
      two.shutdown()
      fakeLoop.shutdownAndWait()
    }
    try two.start(
      addresses: [NodeID(1): try SocketAddress(host: "127.0.0.11", port: 1)], clusterID: 7,
      options: PeerLinkOptions())
    let hello = PeerMessage.hello(PeerHello(protocolVersion: 2, clusterID: 7, nodeID: NodeID(1)))
      .encodedFrame()
    let closed = try dialAsFake(
      loop: fakeLoop, to: two.address, from: try SocketAddress(host: "127.0.0.11", port: 0), hello: hello)
    #expect(waitFor { two.recorded.logged("node 1 speaks peer protocol version 2, this node 1") })
    #expect(waitFor { closed.lines == ["peer closed"] })
    #expect(two.connectedPeers.isEmpty)
  }

  @Test("a node with a larger id that dials is refused: the smaller id dials")
  func largerIDMustNotDial() throws {
    let two = try PeerNode(id: 2)
    let fakeLoop = try EventLoop(name: "peer-test-fake")
    defer {
      two.shutdown()
      fakeLoop.shutdownAndWait()
    }
    try two.start(
      addresses: [NodeID(3): try SocketAddress(host: "127.0.0.13", port: 1)], clusterID: 7,
      options: PeerLinkOptions())
    let hello = PeerMessage.hello(PeerHello(clusterID: 7, nodeID: NodeID(3))).encodedFrame()
    let closed = try dialAsFake(
      loop: fakeLoop, to: two.address, from: try SocketAddress(host: "127.0.0.13", port: 0), hello: hello)
    #expect(waitFor { two.recorded.logged("node 3 dialed node 2; the smaller id dials") })
    #expect(waitFor { closed.lines == ["peer closed"] })
  }
}

@Suite("Peer reconnect backoff")
struct ReconnectBackoffTests {
  @Test("delays double from the initial delay to the maximum, each with at most a quarter of jitter")
  func doublesWithJitter() {
    var backoff = ReconnectBackoff(initialMs: 100, maxMs: 2_000)
    var random = SeededRandom(seed: 1)
    let bases: [Int64] = [100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000]
    for base in bases {
      let delayMs = backoff.nextDelayMs(using: &random)
      #expect(delayMs >= base && delayMs <= base + base / 4, "delay \(delayMs) for base \(base)")
      backoff.checkInvariants()
    }
    backoff.reset()
    #expect(backoff.currentMs == 100)
  }

  @Test("the same seed gives the same delays; jitter varies them")
  func seededJitter() {
    func delays(seed: UInt64) -> [Int64] {
      var backoff = ReconnectBackoff(initialMs: 1_000, maxMs: 1_000)
      var random = SeededRandom(seed: seed)
      return (0..<20).map { _ in backoff.nextDelayMs(using: &random) }
    }
    #expect(delays(seed: 9) == delays(seed: 9))
    #expect(Set(delays(seed: 9)).count > 1)
  }
}

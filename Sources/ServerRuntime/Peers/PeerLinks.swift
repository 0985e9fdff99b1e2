import PeerWire
import RaftCore
import Transport

/// A node's links to the other nodes of its cluster: one TCP connection per pair, a versioned
/// handshake, reconnection with backoff, bounded queues.
///
/// Loop-confined: create it, call every method and read every property on `loop`'s thread (each
/// entry point checks with `loop.preconditionInEventLoop`); `onMessage` and `log` are called on that
/// thread too. Other threads reach it through `loop.execute { }`.
///
/// Rules:
/// - Exactly one connection per pair: the node with the smaller id dials the larger one, binding its
///   own listen host as the source address (a local cluster puts nodes on 127.0.0.11, .12, ... as
///   if on separate hosts). A second connection from the same peer replaces the first.
/// - Both sides send `hello` first. The accepting side checks the cluster id, that the peer is a
///   configured peer (with a smaller id) and not this node; the dialing side checks the cluster id
///   and that the node it reached is the one it dialed. A refusal closes the connection and logs
///   one line saying why.
/// - The dialer reconnects after a dial fails or a link drops, after `backoffInitialMs` doubling to
///   `backoffMaxMs`, with up to a quarter more of jitter from a seeded generator.
/// - Bounded: when a link's write queue is past its high watermark, `send` drops the message and
///   returns false (Raft retransmits; the caller decides for forwarded commands). A peer sending a
///   frame over `frameBytesMax`, or anything that does not decode, is disconnected.
public final class PeerLinks: ListenerHandler {
  /// The loop that owns every socket of these links.
  public let loop: EventLoop
  /// This node.
  public let selfID: NodeID
  /// This node's cluster; peers of another cluster are refused.
  public let clusterID: UInt64
  /// Where this node listens for peers; its host is also the source address of its dials.
  public let listenAddress: SocketAddress
  /// The other nodes and their peer addresses.
  public let peers: [NodeID: SocketAddress]
  /// Limits and timing.
  public let options: PeerLinkOptions

  let log: (String) -> Void
  let onMessage: (NodeID, PeerMessage) -> Void
  /// Hears every link that comes up (after its hello), with the peer's id. Loop-confined.
  public var onLinkUp: ((NodeID) -> Void)?
  var listener: Listener?
  var links: [NodeID: Link] = [:]
  /// Every open connection, in handshake or established.
  var open: [ConnectionID: PeerConnection] = [:]
  var random: SeededRandom
  var isStarted = false
  var isStopped = false
  /// The hello this node sends, framed once.
  let helloFrame: [UInt8]

  /// Messages `send` dropped because a link was down, full, or the message over the frame bound.
  public private(set) var droppedMessageCount: UInt64 = 0

  /// One peer's link.
  struct Link {
    let address: SocketAddress
    /// The connection whose handshake completed, if any.
    var established: PeerConnection?
    /// This node's dial in progress (dialer side only).
    var dialing: PeerConnection?
    /// When to dial again (dialer side only).
    var backoff: ReconnectBackoff
    var reconnectTimer: TimerID?
  }

  /// Links for node `selfID` of cluster `clusterID`, listening (once started) on `listenAddress`.
  /// `peers` must not contain `selfID`. `onMessage` hears every message after the handshake, with
  /// the peer it came from; `log` hears one line per event (link up, down, refused).
  /// Loop-confined.
  public init(
    loop: EventLoop, selfID: NodeID, clusterID: UInt64, listenAddress: SocketAddress,
    peers: [NodeID: SocketAddress], options: PeerLinkOptions = PeerLinkOptions(),
    log: @escaping (String) -> Void, onMessage: @escaping (NodeID, PeerMessage) -> Void
  ) {
    loop.preconditionInEventLoop("PeerLinks.init")
    precondition(selfID != .none, "a node id must not be 0")
    precondition(peers[selfID] == nil, "node \(selfID) listed among its own peers")
    precondition(peers[.none] == nil, "peer id 0 is not a node")
    options.checkInvariants()
    self.loop = loop
    self.selfID = selfID
    self.clusterID = clusterID
    self.listenAddress = listenAddress
    self.peers = peers
    self.options = options
    self.log = log
    self.onMessage = onMessage
    self.random = SeededRandom(seed: options.jitterSeed ^ (selfID.rawValue &* 0x9E37_79B9_7F4A_7C15))
    self.helloFrame = PeerMessage.hello(PeerHello(clusterID: clusterID, nodeID: selfID)).encodedFrame()
    for (peer, address) in peers {
      links[peer] = Link(
        address: address,
        backoff: ReconnectBackoff(initialMs: options.backoffInitialMs, maxMs: options.backoffMaxMs))
    }
  }

  /// Listens on `listenAddress` and dials every peer with a larger id. Loop-confined; once.
  /// - Throws: `TransportError` when the address cannot be listened on (in use, not local).
  public func start() throws(TransportError) {
    loop.preconditionInEventLoop("PeerLinks.start")
    precondition(!isStarted, "PeerLinks.start called twice")
    isStarted = true
    var listenerOptions = ListenerOptions()
    listenerOptions.connectionOptions = options.connectionOptions
    // Handshakes of configured peers plus a few strays; more are refused without a read.
    listenerOptions.connectionsMax = 2 * peers.count + 8
    listener = try loop.listen(on: listenAddress, options: listenerOptions, handler: self)
    log("peer links listening on \(listenAddress) node=\(selfID) cluster=\(clusterID) peers=\(peers.count)")
    for peer in peers.keys.sorted() where peer > selfID { dial(peer) }
  }

  /// Sends `message` to `peer` if its link is established and its queue below the high watermark.
  /// Not for `hello`, which the links send themselves. Loop-confined.
  /// - Returns: whether the message was queued; false means it was dropped (no link, link full,
  ///   or a frame over `frameBytesMax`).
  @discardableResult
  public func send(_ message: PeerMessage, to peer: NodeID) -> Bool {
    loop.preconditionInEventLoop("PeerLinks.send")
    precondition(message.kind != .hello, "hello is sent by PeerLinks itself")
    guard let connection = links[peer]?.established?.connection, connection.isActive,
      connection.isWritable
    else {
      droppedMessageCount += 1
      return false
    }
    let frame = message.encodedFrame()
    guard frame.count - PeerMessage.frameHeaderBytes <= options.frameBytesMax else {
      droppedMessageCount += 1
      log(
        "dropped a \(frame.count)-byte \(message.kind) frame to node \(peer): over the \(options.frameBytesMax)-byte bound"
      )
      return false
    }
    guard connection.write(frame) else {
      droppedMessageCount += 1
      return false
    }
    return true
  }

  /// Peers whose link is established (handshake done), in id order. Loop-confined.
  public var connectedPeers: [NodeID] {
    loop.preconditionInEventLoop("PeerLinks.connectedPeers")
    return links.keys.sorted().filter { links[$0]?.established != nil }
  }

  /// The address `peer`'s end of its established link has (for the dialing side's link: the
  /// source address the peer bound). Loop-confined.
  public func remoteAddress(of peer: NodeID) -> SocketAddress? {
    loop.preconditionInEventLoop("PeerLinks.remoteAddress")
    return links[peer]?.established?.connection?.peerAddress
  }

  /// Bytes waiting in `peer`'s write queue (0 without a link). Loop-confined.
  public func queuedBytes(to peer: NodeID) -> Int {
    loop.preconditionInEventLoop("PeerLinks.queuedBytes")
    return links[peer]?.established?.connection?.queuedBytes ?? 0
  }

  /// The listener's bound address once started. Loop-confined.
  public var boundAddress: SocketAddress? {
    loop.preconditionInEventLoop("PeerLinks.boundAddress")
    return listener?.localAddress
  }

  /// Stops listening, cancels reconnects, closes every connection (flushing what is queued).
  /// Nothing is delivered afterwards. A stopped PeerLinks is not started again. Idempotent.
  /// Loop-confined.
  public func stop() {
    loop.preconditionInEventLoop("PeerLinks.stop")
    guard !isStopped else { return }
    isStopped = true
    listener?.close()
    listener = nil
    for peer in links.keys.sorted() {
      if let timer = links[peer]?.reconnectTimer { loop.cancelTimer(timer) }
      links[peer]?.reconnectTimer = nil
      links[peer]?.established = nil
      links[peer]?.dialing = nil
    }
    for id in open.keys.sorted() {
      guard let peerConnection = open[id] else { continue }
      if let timer = peerConnection.helloTimer { loop.cancelTimer(timer) }
      peerConnection.connection?.close()
    }
    open.removeAll()
    log("peer links stopped node=\(selfID)")
  }

  /// Traps unless the links' bookkeeping is consistent. Loop-confined.
  public func checkInvariants() {
    loop.preconditionInEventLoop("PeerLinks.checkInvariants")
    for peer in links.keys.sorted() {
      guard let link = links[peer] else { continue }
      if let established = link.established {
        precondition(
          established.peerID == peer,
          "link to \(peer) holds a connection of \(established.peerID.map { "\($0)" } ?? "nobody")")
        precondition(established.isEstablished, "link to \(peer) holds a connection in handshake")
      }
      if link.dialing != nil { precondition(peer > selfID, "node \(selfID) dialing smaller node \(peer)") }
      link.backoff.checkInvariants()
    }
    precondition(!isStopped || open.isEmpty, "stopped links still track connections")
  }

  // MARK: ListenerHandler

  /// A new connection from a would-be peer: it gets a handshake handler. Called by the loop.
  public func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler {
    PeerConnection(role: .acceptor, links: self, frameBytesMax: options.frameBytesMax)
  }

  /// Logs connections the listener refused for its own limits. Called by the loop.
  public func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason) {
    log("refused peer connection from \(peer): \(reason)")
  }
}

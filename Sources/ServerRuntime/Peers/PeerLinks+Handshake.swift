import PeerWire
import RaftCore
import Transport

extension PeerLinks {
  /// A connection became active: the acceptor says hello now (the dialer said it when dialing),
  /// and both wait at most `helloTimeoutMs` for the peer's.
  func connectionActive(_ peerConnection: PeerConnection, _ connection: Connection) {
    guard !isStopped else {
      connection.close()
      return
    }
    peerConnection.connection = connection
    open[connection.id] = peerConnection
    if peerConnection.role == .acceptor { connection.write(helloFrame) }
    peerConnection.helloTimer = loop.scheduleTimer(afterMs: options.helloTimeoutMs) {
      [weak self, weak peerConnection] in
      guard let self, let peerConnection else { return }
      peerConnection.helloTimer = nil
      if !peerConnection.isEstablished {
        self.refuse(peerConnection, "no hello within \(self.options.helloTimeoutMs) ms")
      }
    }
  }

  /// One decoded message: the first must be an acceptable hello; later ones go to `onMessage`.
  func received(_ message: PeerMessage, on peerConnection: PeerConnection) {
    guard !isStopped else { return }
    guard let peer = peerConnection.peerID else {
      guard case .hello(let hello) = message else {
        refuse(peerConnection, "sent \(message.kind) before hello")
        return
      }
      if let reason = refusal(of: hello, on: peerConnection) {
        refuse(peerConnection, reason)
      } else {
        establish(peerConnection, peer: hello.nodeID)
      }
      return
    }
    switch message {
    case .hello:
      refuse(peerConnection, "node \(peer) sent a second hello")
      return
    case .raft(let raft) where raft.from != peer:
      refuse(peerConnection, "node \(peer) sent a Raft message from node \(raft.from)")
      return
    case .forward(let forwarded) where forwarded.from != peer:
      refuse(peerConnection, "node \(peer) forwarded commands from node \(forwarded.from)")
      return
    default:
      onMessage(peer, message)
    }
  }

  /// Why `hello` is not acceptable on this connection, or nil when it is.
  func refusal(of hello: PeerHello, on peerConnection: PeerConnection) -> String? {
    if hello.protocolVersion != PeerHello.currentProtocolVersion {
      return
        "node \(hello.nodeID) speaks peer protocol version \(hello.protocolVersion), this node \(PeerHello.currentProtocolVersion)"
    }
    if hello.clusterID != clusterID {
      return "node \(hello.nodeID) is in cluster \(hello.clusterID), this node in cluster \(clusterID)"
    }
    if hello.nodeID == selfID { return "the peer claims this node's own id \(selfID)" }
    guard peers[hello.nodeID] != nil else { return "node \(hello.nodeID) is not a configured peer" }
    switch peerConnection.role {
    case .dialer(let expected):
      if hello.nodeID != expected { return "dialed node \(expected) but node \(hello.nodeID) answered" }
    case .acceptor:
      // One connection per pair: only a smaller id dials this node.
      if hello.nodeID > selfID { return "node \(hello.nodeID) dialed node \(selfID); the smaller id dials" }
    }
    return nil
  }

  /// Closes a connection whose peer broke the handshake or the protocol, with one log line.
  func refuse(_ peerConnection: PeerConnection, _ reason: String) {
    guard let connection = peerConnection.connection else { return }
    let established = peerConnection.isEstablished ? "dropped peer link" : "refused peer connection"
    log("\(established) \(connection.localAddress)<->\(connection.peerAddress): \(reason)")
    connection.close()
  }

  /// The handshake completed: this connection becomes `peer`'s link, replacing an older one.
  func establish(_ peerConnection: PeerConnection, peer: NodeID) {
    guard let connection = peerConnection.connection, var link = links[peer] else { return }
    if let timer = peerConnection.helloTimer { loop.cancelTimer(timer) }
    peerConnection.helloTimer = nil
    peerConnection.peerID = peer
    peerConnection.establishedAtNs = EventLoop.monotonicNowNs()
    if link.dialing === peerConnection { link.dialing = nil }
    if let old = link.established, old !== peerConnection {
      // The peer restarted (or its old connection is half-dead): the newest connection wins.
      log("peer link to node \(peer) replaced by a new connection from \(connection.peerAddress)")
      old.peerID = nil
      old.connection?.close()
    }
    link.established = peerConnection
    links[peer] = link
    log("peer link up: node \(peer) \(connection.localAddress)<->\(connection.peerAddress)")
    onLinkUp?(peer)
  }

  /// A connection closed: forget it, and when it was this node's dial or link, dial again later.
  func connectionClosed(_ peerConnection: PeerConnection, _ connection: Connection, reason: CloseReason) {
    open[connection.id] = nil
    if let timer = peerConnection.helloTimer { loop.cancelTimer(timer) }
    peerConnection.helloTimer = nil
    guard !isStopped else { return }
    var wasLink = false
    if let peer = peerConnection.peerID, links[peer]?.established === peerConnection {
      links[peer]?.established = nil
      wasLink = true
      log("peer link down: node \(peer) \(connection.localAddress)<->\(connection.peerAddress): \(reason)")
    }
    guard case .dialer(let peer) = peerConnection.role, var link = links[peer] else { return }
    if link.dialing === peerConnection {
      link.dialing = nil
      if !wasLink && !peerConnection.isEstablished {
        log("peer dial to node \(peer) at \(link.address) failed: \(reason)")
      }
    }
    links[peer] = link
    scheduleReconnect(peer, linkUpNs: wasLink ? peerConnection.establishedAtNs : nil)
  }
}

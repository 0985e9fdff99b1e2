import PeerWire
import RaftCore
import Transport

extension PeerLinks {
  /// Dials `peer` (a larger id) from this node's own host, saying hello at once; the bytes wait in
  /// the queue until the connection completes.
  func dial(_ peer: NodeID) {
    guard !isStopped, var link = links[peer], link.established == nil, link.dialing == nil else { return }
    let peerConnection = PeerConnection(
      role: .dialer(peer: peer), links: self, frameBytesMax: options.frameBytesMax)
    let source = SocketAddress(ipv4: listenAddress.ipv4, port: 0)
    do {
      let connection = try loop.connect(
        to: link.address, from: source, timeoutMs: options.connectTimeoutMs,
        options: options.connectionOptions, handler: peerConnection)
      peerConnection.connection = connection
      open[connection.id] = peerConnection
      link.dialing = peerConnection
      links[peer] = link
      connection.write(helloFrame)
    } catch {
      log("peer dial to node \(peer) at \(link.address) from \(source.host) failed: \(error)")
      scheduleReconnect(peer, linkUpNs: nil)
    }
  }

  /// Dials `peer` again after its backoff (plus jitter). A link that had stayed up for
  /// `backoffMaxMs` starts again from the initial delay; a failed dial or a short-lived link doubles it.
  func scheduleReconnect(_ peer: NodeID, linkUpNs: UInt64?) {
    guard !isStopped, var link = links[peer], link.reconnectTimer == nil, link.established == nil,
      link.dialing == nil
    else { return }
    if let linkUpNs, EventLoop.monotonicNowNs() &- linkUpNs >= UInt64(options.backoffMaxMs) * 1_000_000 {
      link.backoff.reset()
    }
    let delayMs = link.backoff.nextDelayMs(using: &random)
    link.reconnectTimer = loop.scheduleTimer(afterMs: delayMs) { [weak self] in
      guard let self else { return }
      self.links[peer]?.reconnectTimer = nil
      self.dial(peer)
    }
    links[peer] = link
  }
}

import PeerWire
import RaftCore
import Transport

/// One TCP connection of the peer links, in its handshake or established.
///
/// Loop-confined, like the `Connection` it handles. It holds its `PeerLinks` weakly and its
/// `Connection` weakly (the loop owns open connections), so a closed connection frees both.
final class PeerConnection: ConnectionHandler {
  /// Which side opened the connection.
  enum Role: Equatable {
    /// This node dialed `peer` (the smaller id dials the larger).
    case dialer(peer: NodeID)
    /// The peer dialed this node's listener.
    case acceptor
  }

  let role: Role
  weak var links: PeerLinks?
  weak var connection: Connection?
  var decoder: PeerFrameDecoder
  /// The peer's id, once its hello was accepted.
  var peerID: NodeID?
  var helloTimer: TimerID?
  /// When the link was established (monotonic), to judge whether it stayed up long enough to
  /// reset the reconnect backoff.
  var establishedAtNs: UInt64?

  init(role: Role, links: PeerLinks, frameBytesMax: Int) {
    self.role = role
    self.links = links
    self.decoder = PeerFrameDecoder(frameBytesMax: frameBytesMax)
  }

  var isEstablished: Bool { establishedAtNs != nil }

  func connectionActive(_ connection: Connection) {
    links?.connectionActive(self, connection)
  }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    decoder.append(bytes)
    while connection.isActive, let links {
      let message: PeerMessage
      do {
        guard let next = try decoder.next() else { return }
        message = next
      } catch {
        links.refuse(self, "peer protocol error: \(error)")
        return
      }
      links.received(message, on: self)
    }
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    links?.connectionClosed(self, connection, reason: reason)
  }
}

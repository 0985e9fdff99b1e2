import RaftCore

/// What one Grove node says to another over a peer link.
///
/// The wire form (version 1) is a frame: a 4-byte big-endian length N, then N bytes holding a kind
/// byte (`PeerMessageKind`) and the kind's body, all integers big-endian. `hello` is the first
/// message each side sends on a link; everything else follows it.
public enum PeerMessage: Hashable, Sendable, CustomStringConvertible {
  /// The handshake: who is speaking, in which cluster, with which protocol version.
  case hello(PeerHello)
  /// A Raft message, every field of RaftCore's `Message` (entries, snapshot metadata, chunks).
  case raft(Message)
  /// Client write commands a follower forwards to the leader (DESIGN: "a follower forwards the
  /// request to the leader over the peer link").
  case forward(ForwardedCommands)
  /// Session ids a follower heard from since its last notice, so the leader keeps them alive
  /// (DESIGN: "Liveness is tracked by the leader only; followers forward their sessions' activity").
  case sessionActivity([Int64])

  /// The kind byte this message is framed with.
  public var kind: PeerMessageKind {
    switch self {
    case .hello: .hello
    case .raft: .raft
    case .forward: .forward
    case .sessionActivity: .sessionActivity
    }
  }

  /// A short rendering for logs.
  public var description: String {
    switch self {
    case .hello(let hello): "\(hello)"
    case .raft(let message): "raft \(message)"
    case .forward(let forwarded): "forward from \(forwarded.from) \(forwarded.payload.count)b"
    case .sessionActivity(let ids): "sessionActivity \(ids.count) sessions"
    }
  }
}

/// The kind byte of a frame. Raw values are the wire values of version 1 and never change; new
/// kinds take new values.
public enum PeerMessageKind: UInt8, Sendable, CaseIterable {
  case hello = 1
  case raft = 2
  case forward = 3
  case sessionActivity = 4
}

/// The first message on a link: the sender's protocol version, cluster id and node id.
///
/// Body (version 1): the magic `"GRVP"`, version (UInt16), cluster id (UInt64), node id (UInt64).
/// A hello of a later version may carry more fields after these; they are skipped, so that a
/// version-1 node can still read who is calling and log "peer speaks version 2" before refusing.
public struct PeerHello: Hashable, Sendable, CustomStringConvertible {
  /// The protocol version the sender speaks.
  public var protocolVersion: UInt16
  /// The sender's cluster: nodes of different clusters refuse each other.
  public var clusterID: UInt64
  /// The sender's node id (`server.N`).
  public var nodeID: NodeID

  /// The version this build speaks.
  public static let currentProtocolVersion: UInt16 = 1

  /// The four bytes every hello starts with, so that a stray client on the peer port is refused
  /// with a clear reason rather than misread.
  public static let magic: [UInt8] = Array("GRVP".utf8)

  /// A hello; `protocolVersion` defaults to the version this build speaks.
  public init(
    protocolVersion: UInt16 = PeerHello.currentProtocolVersion, clusterID: UInt64, nodeID: NodeID
  ) {
    self.protocolVersion = protocolVersion
    self.clusterID = clusterID
    self.nodeID = nodeID
  }

  public var description: String {
    "hello v\(protocolVersion) cluster \(clusterID) node \(nodeID)"
  }
}

/// Client write commands forwarded by a follower to the leader. The payload is opaque to PeerWire:
/// the server core encodes and decodes it.
public struct ForwardedCommands: Hashable, Sendable {
  /// The follower that forwards them (and that will answer the clients).
  public var from: NodeID
  /// The encoded commands.
  public var payload: [UInt8]

  /// Forwarded commands from `from`.
  public init(from: NodeID, payload: [UInt8]) {
    self.from = from
    self.payload = payload
  }
}

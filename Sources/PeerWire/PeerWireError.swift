/// Why PeerWire refused bytes. One enum for the module; every decoding failure is one of these
/// values, never a trap, whatever the bytes.
///
/// A peer link that meets any of them closes the connection: the stream is no longer trusted
/// (a frame boundary may have been lost), and Raft retransmits what the link dropped.
public enum PeerWireError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A frame's length prefix is over the decoder's bound (checked before any allocation).
  case frameLengthOverBound(length: UInt64, bound: Int)
  /// A frame's length prefix is 0: a frame always holds at least its kind byte.
  case frameEmpty
  /// The kind byte names no message of this protocol version.
  case unknownMessageKind(UInt8)
  /// The body ended before a field did: `needed` bytes were wanted, `available` were left.
  case truncated(needed: Int, available: Int)
  /// The body has bytes after its last field.
  case trailingBytes(count: Int)
  /// A boolean field holds something other than 0 or 1.
  case invalidBoolean(UInt8)
  /// A count or length field promises more than the body can hold.
  case lengthOverRemaining(field: String, length: UInt64, remaining: Int)
  /// A Raft message kind byte that RaftCore does not know.
  case unknownRaftMessageKind(UInt8)
  /// An entry kind byte that RaftCore does not know.
  case unknownEntryKind(UInt8)
  /// A hello that does not start with the protocol's magic bytes: not a Grove peer.
  case badMagic
  /// A hello of version 0, which no Grove build ever sent.
  case invalidProtocolVersion(UInt16)

  public var description: String {
    switch self {
    case .frameLengthOverBound(let length, let bound):
      return "peer frame of \(length) bytes over the bound of \(bound)"
    case .frameEmpty: return "empty peer frame"
    case .unknownMessageKind(let kind): return "unknown peer message kind \(kind)"
    case .truncated(let needed, let available):
      return "peer message truncated: needed \(needed) bytes, \(available) left"
    case .trailingBytes(let count): return "\(count) bytes after the end of a peer message"
    case .invalidBoolean(let byte): return "invalid boolean byte \(byte)"
    case .lengthOverRemaining(let field, let length, let remaining):
      return "\(field) length \(length) over the \(remaining) bytes left"
    case .unknownRaftMessageKind(let kind): return "unknown Raft message kind \(kind)"
    case .unknownEntryKind(let kind): return "unknown entry kind \(kind)"
    case .badMagic: return "hello without the Grove peer magic"
    case .invalidProtocolVersion(let version): return "invalid peer protocol version \(version)"
    }
  }
}

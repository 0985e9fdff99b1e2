/// Why bytes (or a value headed for the wire) could not be accepted by the ZooKeeper codec.
///
/// The one error enum of `ZooKeeperWire`. Decoding never traps on hostile input: every length
/// is checked against what is left and against a caller-supplied bound before anything is
/// allocated, and every failure is one of these cases.
public enum JuteError: Error, Hashable, Sendable {
  /// The record needs `needed` more bytes than the `available` ones.
  case truncated(needed: Int, available: Int)
  /// A length prefix was negative where null is not allowed, or below -1.
  case invalidLength(Int32)
  /// A string, buffer or vector is longer than the decoder's bound.
  case lengthOverBound(length: Int, bound: Int)
  /// A ustring's bytes are not valid UTF-8.
  case invalidUTF8
  /// A boolean byte other than 0 or 1.
  case invalidBoolean(UInt8)
  /// An enumerated field holds a value the protocol does not define.
  case invalidEnumValue(field: String, value: Int32)
  /// Bytes were left over after a record that must fill its frame.
  case trailingBytes(Int)
  /// A frame's 4-byte length prefix is negative: as ZooKeeper, the connection is closed.
  case frameLengthNegative(Int32)
  /// A frame's length is above `jute.maxbuffer`: as ZooKeeper, the connection is closed.
  case frameLengthOverBound(length: Int, bound: Int)
  /// An op code that is not allowed where it appeared (inside a multi, or in a reply the
  /// client did not expect).
  case unexpectedOpCode(Int32)
  /// A reply with a positive xid arrived while the client expected no reply.
  case unexpectedReply(xid: Int32)
  /// A path that ZooKeeper's `PathUtils.validatePath` rejects; `reason` is ZooKeeper's wording.
  case invalidPath(path: String, reason: String)
}

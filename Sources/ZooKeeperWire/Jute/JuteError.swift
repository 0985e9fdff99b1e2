/// Why bytes could not be decoded as a jute record.
///
/// Decoding never traps on hostile input: every length is checked against what is left
/// and against a caller-supplied bound before anything is allocated.
public enum JuteError: Error, Equatable, Sendable {
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
}

import ZooKeeperWire

/// Why bytes could not be decoded as a `Command` or a snapshot. ZooKeeper outcomes are never
/// errors of this type: they are `ErrorCode` values in a `Reply`.
public enum DataTreeError: Error, Equatable, Sendable {
  /// The command was written by a format version this code does not read.
  case unsupportedCommandVersion(UInt8)
  /// An operation or multi-operation tag that no version defines.
  case unknownOperationTag(UInt8)
  /// A create carried an op code other than create, create2, createContainer or createTTL.
  case invalidCreateOpCode(Int32)
  /// The bytes ended early, a length was hostile, or a string was not UTF-8.
  case malformed(JuteError)
  /// Bytes were left after a command that must fill its buffer.
  case trailingBytes(Int)
  /// The snapshot does not start with Grove's snapshot magic.
  case notASnapshot
  /// The snapshot was written by a format version this code does not read.
  case unsupportedSnapshotVersion(UInt32)
  /// The snapshot's checksum does not match its content: it is damaged.
  case snapshotChecksumMismatch(stored: UInt32, computed: UInt32)
  /// The snapshot decodes but describes an impossible tree (the reason says what).
  case inconsistentSnapshot(String)
}

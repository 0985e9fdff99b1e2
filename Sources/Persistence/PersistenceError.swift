/// Everything that can go wrong in the durable log, the snapshot files and the file system under
/// them. One enum for the module; every case says what failed and where.
public enum PersistenceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A system call failed: `operation` on `path`, with the C `errno`.
  case io(operation: String, path: String, errno: Int32)
  /// Bytes on disk are not what the log wrote before the tail: refuse to start. `offset` is the
  /// byte offset inside `file` where the damage was found.
  case corruption(file: String, offset: Int64, reason: String)
  /// A segment the log needs is absent (a hole in the sequence, or entries it must hold are gone).
  case missingSegment(file: String, reason: String)
  /// The file was written by a format version this code does not read.
  case unsupportedVersion(file: String, version: UInt16)
  /// The file belongs to another cluster or node than the one opening it.
  case identityMismatch(file: String, reason: String)
  /// The caller broke the contract of an operation (for example a non-contiguous append).
  case invalidArgument(String)
  /// An earlier write or sync failed; after a failed fsync the kernel may have dropped the data,
  /// so the log accepts nothing more until it is reopened (and recovered from what is on disk).
  case failed(String)
  /// The log was closed.
  case closed

  public var description: String {
    switch self {
    case .io(let operation, let path, let errno):
      return "I/O error: \(operation) \(path) failed with errno \(errno)"
    case .corruption(let file, let offset, let reason):
      return "corrupt log: \(file) at offset \(offset): \(reason); refusing to start"
    case .missingSegment(let file, let reason):
      return "missing log data: \(file): \(reason); refusing to start"
    case .unsupportedVersion(let file, let version):
      return "\(file) has format version \(version), which this build does not read"
    case .identityMismatch(let file, let reason):
      return "\(file) belongs to another cluster or node: \(reason)"
    case .invalidArgument(let message):
      return "invalid argument: \(message)"
    case .failed(let message):
      return "log failed earlier and accepts no more writes: \(message)"
    case .closed:
      return "log is closed"
    }
  }
}

/// Why the log could not give what was asked.
public enum StorageError: Error, Equatable, Sendable {
  /// The index is before the first available entry: it was compacted into a snapshot.
  case compacted
  /// The index is after the last entry.
  case unavailable
  /// A snapshot is being prepared; try again later.
  case snapshotTemporarilyUnavailable
  /// The storage failed underneath (I/O); the message names what failed.
  case io(String)
}

/// The read side of the durable log, as Raft needs it (etcd's `Storage`).
///
/// Contract: everything returned here is durable. The application appends entries and hard state
/// from a `Ready` to its storage, makes them durable, and only then calls `advance`; Raft keeps
/// what is not yet durable in its own unstable tail. Implementations keep recent entries in
/// memory so the hot path does not read the disk.
public protocol LogStorage {
  /// The persisted hard state and membership, read once at start.
  func initialState() throws(StorageError) -> (HardState, ConfState)
  /// Entries in `range`, as many from the start as fit in `maxBytes` (always at least one).
  func entries(_ range: Range<LogIndex>, maxBytes: Int) throws(StorageError) -> [Entry]
  /// The term of the entry at `index`; valid for `firstIndex - 1 ... lastIndex`.
  func term(at index: LogIndex) throws(StorageError) -> Term
  /// The index of the first entry still in the log (the snapshot's index + 1).
  func firstIndex() throws(StorageError) -> LogIndex
  /// The index of the last entry (the snapshot's index when the log is empty).
  func lastIndex() throws(StorageError) -> LogIndex
  /// The most recent snapshot.
  func snapshot() throws(StorageError) -> Snapshot
  /// The most recent snapshot's metadata (cheap, unlike `snapshot()` on a disk-backed log).
  func snapshotMetadata() throws(StorageError) -> SnapshotMetadata
  /// Up to `maxBytes` of the most recent snapshot's data from `offset`, for InstallSnapshot.
  func snapshotChunk(from offset: UInt64, maxBytes: Int) throws(StorageError) -> SnapshotChunk
}

extension LogStorage {
  public func snapshotMetadata() throws(StorageError) -> SnapshotMetadata { try snapshot().metadata }

  public func snapshotChunk(from offset: UInt64, maxBytes: Int) throws(StorageError) -> SnapshotChunk {
    let snap = try snapshot()
    let start = Int(min(offset, UInt64(snap.data.count)))
    let end = min(snap.data.count, start + max(0, maxBytes))
    return SnapshotChunk(metadata: snap.metadata, bytes: Array(snap.data[start..<end]), totalBytes: UInt64(snap.data.count))
  }
}

/// Part of a snapshot's data: `bytes` start at the offset asked for; `totalBytes` is the size of
/// the whole data.
public struct SnapshotChunk: Hashable, Sendable {
  public var metadata: SnapshotMetadata
  public var bytes: [UInt8]
  public var totalBytes: UInt64

  public init(metadata: SnapshotMetadata, bytes: [UInt8], totalBytes: UInt64) {
    self.metadata = metadata
    self.bytes = bytes
    self.totalBytes = totalBytes
  }
}

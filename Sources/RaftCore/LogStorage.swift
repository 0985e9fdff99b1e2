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
}

import RaftCore

/// How a `DurableLog` lays out and caches its files.
public struct LogOptions: Sendable {
  /// Written into every file's header and checked on open, so a data directory copied to the
  /// wrong node or cluster is refused.
  public var clusterID: UInt64
  public var nodeID: NodeID
  /// Segments are pre-allocated to this size; a new segment starts when the next write would
  /// not fit. At most 1 GiB (record offsets are 32-bit).
  public var segmentBytes: Int
  /// Budget of the in-memory cache of recent entries.
  public var cacheBytesMax: Int
  /// Snapshot files kept on disk (at least 1); segments are kept back to the oldest of them.
  public var snapshotsRetained: Int
  /// Group commit's bounded wait: before writing, a flush waits up to this long for more
  /// appends to join it, or until `groupCommitBytes` are pending. 0 (the default) never waits:
  /// appends that arrive during an fdatasync form the next batch anyway.
  public var groupCommitWindowMicroseconds: Int
  /// Pending bytes that end the group-commit window early.
  public var groupCommitBytes: Int
  /// The pace at which `saveSnapshot` writes a snapshot file, in bytes per second; 0 is as fast
  /// as the disk goes. A snapshot of a large tree written at full speed fills the disk's queue,
  /// and the write-ahead log's fdatasyncs, which every acknowledged write waits for, queue
  /// behind it. Snapshots from the leader (`applySnapshot`) are written at full speed.
  public var snapshotWriteBytesPerSecond: Int

  public init(
    clusterID: UInt64 = 0, nodeID: NodeID = .none, segmentBytes: Int = 64 << 20,
    cacheBytesMax: Int = 32 << 20,
    snapshotsRetained: Int = 2, groupCommitWindowMicroseconds: Int = 0, groupCommitBytes: Int = 1 << 20,
    snapshotWriteBytesPerSecond: Int = 0
  ) {
    self.snapshotWriteBytesPerSecond = snapshotWriteBytesPerSecond
    self.clusterID = clusterID
    self.nodeID = nodeID
    self.segmentBytes = segmentBytes
    self.cacheBytesMax = cacheBytesMax
    self.snapshotsRetained = snapshotsRetained
    self.groupCommitWindowMicroseconds = groupCommitWindowMicroseconds
    self.groupCommitBytes = groupCommitBytes
  }

  func validate() throws(PersistenceError) {
    guard segmentBytes >= 4096, segmentBytes <= 1 << 30 else {
      throw .invalidArgument("segmentBytes \(segmentBytes) outside 4 KiB ... 1 GiB")
    }
    guard snapshotsRetained >= 1 else { throw .invalidArgument("snapshotsRetained must be at least 1") }
    guard cacheBytesMax >= 0, groupCommitWindowMicroseconds >= 0, groupCommitBytes >= 0,
      snapshotWriteBytesPerSecond >= 0
    else {
      throw .invalidArgument("negative option")
    }
  }
}

/// One open segment file.
struct Segment {
  let sequence: UInt64
  /// The log's last index + 1 when the segment was created: every entry in earlier segments is
  /// before it, so earlier segments can go once a snapshot covers `firstIndex - 1`.
  let firstIndex: LogIndex
  let path: String
  let file: any DurableFile
}

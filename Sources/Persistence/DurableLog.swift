import RaftCore

/// Names a write handed to the log; once `durableTicket` reaches it, the write (and every write
/// before it) is on disk. Tickets grow by one per write.
public struct DurabilityTicket: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public static let zero = DurabilityTicket(rawValue: 0)
  public static func < (a: DurabilityTicket, b: DurabilityTicket) -> Bool { a.rawValue < b.rawValue }
  public var description: String { String(rawValue) }
}

/// Raft's durable log: a write-ahead log of segment files plus snapshot files, in one directory.
///
/// Writes (`append`, `saveHardState`, `saveSnapshot`, `applySnapshot`) only queue; they return at
/// once with a ticket. `flush()` writes everything queued with one write and one fdatasync (group
/// commit) and makes it visible to the `LogStorage` read side, which therefore only ever shows
/// durable state. Three ways to drive it:
/// - a `SyncWorker` thread flushes whenever writes are queued and reports each durable ticket
///   (the server's event loop hands its batches over and is told when they are durable);
/// - threads call `waitUntilDurable(ticket)`: one of them flushes for all (leader/follower);
/// - a single thread (the simulator) calls `flush()` itself.
///
/// After a failed write or sync every call fails: the kernel may have dropped the dirty pages, so
/// only a reopen (recovery from what is really on disk) is safe.
public final class DurableLog: Sendable {
  /// Condition 0: durability advanced or the log failed. Condition 1: writes were queued.
  static let durableCondition = 0
  static let queuedCondition = 1

  /// The log's directory.
  public let directory: String
  let fileSystem: any FileSystem
  let options: LogOptions
  let monitor: Monitor<LogState>

  /// Opens (creating if needed) the log in `directory`, recovering what is on disk: a torn tail
  /// is cut; any other damage throws `.corruption` / `.missingSegment` naming file and offset.
  public init(directory: String, fileSystem: any FileSystem, options: LogOptions = LogOptions())
    throws(PersistenceError)
  {
    try options.validate()
    self.directory = directory
    self.fileSystem = fileSystem
    self.options = options
    let recovered = try LogRecovery.recover(directory: directory, fileSystem: fileSystem, options: options)
    monitor = Monitor(LogState(recovered), conditions: 2)
    checkInvariants()
  }

  deinit { close() }

  /// Queues entries. The first entry's index may be at most the last queued index + 1 and must
  /// be after the snapshot; entries must be contiguous. Appending at index i drops every entry
  /// from i on (Raft §5.3: a conflicting suffix is replaced).
  public func append(_ entries: [Entry]) throws(PersistenceError) -> DurabilityTicket {
    guard let first = entries.first else { throw .invalidArgument("append of no entries") }
    for k in entries.indices.dropFirst() where entries[k].index != entries[k - 1].index.next {
      throw .invalidArgument("entries not contiguous at \(entries[k - 1].index) -> \(entries[k].index)")
    }
    return try queue(WALRecordLayout.headerBytes * entries.count + entries.reduce(0) { $0 + $1.sizeBytes }) {
      (state) throws(PersistenceError) in
      guard first.index > state.queuedBase, first.index <= state.queuedLast.next else {
        throw .invalidArgument(
          "append at \(first.index) to a log of (\(state.queuedBase), \(state.queuedLast)] (with queued writes)"
        )
      }
      state.queuedLast = entries[entries.count - 1].index
      state.pending.append(.entries(entries))
    }
  }

  /// Queues Raft's hard state (term, vote, commit).
  public func saveHardState(_ hardState: HardState) throws(PersistenceError) -> DurabilityTicket {
    try queue(40) { (state) throws(PersistenceError) in state.pending.append(.hardState(hardState)) }
  }

  /// Saves a snapshot the application took of its own state at `snapshot.metadata.index` (which
  /// must be in the log) and compacts the log before it: the snapshot file is written durably
  /// now; the log's start moves, and old segments and snapshot files beyond
  /// `snapshotsRetained` are removed, when the returned ticket is durable.
  public func saveSnapshot(_ snapshot: Snapshot) throws(PersistenceError) -> DurabilityTicket {
    let index = snapshot.metadata.index
    try monitor.withLock { (state) throws(PersistenceError) in
      try state.checkUsable()
      guard index > state.queuedBase, index <= state.queuedLast else {
        throw .invalidArgument(
          "snapshot at \(index) outside the log (\(state.queuedBase), \(state.queuedLast)]")
      }
    }
    try SnapshotFile.write(
      snapshot, directory: directory, fileSystem: fileSystem, clusterID: options.clusterID,
      nodeID: options.nodeID, bytesPerSecond: options.snapshotWriteBytesPerSecond)
    return try queue(40) { (state) throws(PersistenceError) in
      guard index > state.queuedBase else {
        throw .invalidArgument("snapshot at \(index) is not newer than the log's start")
      }
      state.queuedBase = index
      state.pending.append(.snapshot(snapshot.metadata, reset: false))
    }
  }

  /// Installs a snapshot received from the leader: it replaces the whole log (every entry is
  /// dropped; the next append is at `index + 1`) once the returned ticket is durable.
  public func applySnapshot(_ snapshot: Snapshot) throws(PersistenceError) -> DurabilityTicket {
    let index = snapshot.metadata.index
    guard index > .zero else { throw .invalidArgument("empty snapshot") }
    try SnapshotFile.write(
      snapshot, directory: directory, fileSystem: fileSystem, clusterID: options.clusterID,
      nodeID: options.nodeID)
    return try queue(40) { (state) throws(PersistenceError) in
      guard index > state.queuedBase else {
        throw .invalidArgument("snapshot at \(index) is not newer than the log's start")
      }
      state.queuedBase = index
      state.queuedLast = index
      state.pending.append(.snapshot(snapshot.metadata, reset: true))
    }
  }

  private func queue(
    _ bytes: Int, _ body: (inout LogState) throws(PersistenceError) -> Void
  ) throws(PersistenceError) -> DurabilityTicket {
    let groupCommitWindow = options.groupCommitWindowMicroseconds > 0
    return try monitor.withLock { (state) throws(PersistenceError) -> DurabilityTicket in
      try state.checkUsable()
      let wasIdle = state.pending.isEmpty
      try body(&state)
      state.pendingBytes += bytes
      state.lastTicket = DurabilityTicket(rawValue: state.lastTicket.rawValue + 1)
      if wasIdle || groupCommitWindow { monitor.broadcast(condition: DurableLog.queuedCondition) }
      return state.lastTicket
    }
  }

  /// The highest ticket whose write is durable.
  public var durableTicket: DurabilityTicket { monitor.withLock { $0.durableTicket } }

  /// The hard state as last made durable.
  public var hardState: HardState { monitor.withLock { $0.hardState } }

  /// Blocks until `ticket` is durable, flushing on this thread when no other flush runs (so
  /// concurrent callers share writes and fdatasyncs).
  public func waitUntilDurable(_ ticket: DurabilityTicket) throws(PersistenceError) {
    while true {
      let mustFlush = try monitor.waitFor(condition: DurableLog.durableCondition) {
        (state) throws(PersistenceError) -> Bool? in
        if let failure = state.failure { throw .failed(failure.description) }
        if state.durableTicket >= ticket { return false }
        if state.closed { throw .closed }
        return state.flushing ? nil : true
      }
      guard mustFlush == true else { return }
      _ = try flush()
    }
  }

  /// For a flushing thread: blocks until writes are queued and no flush runs. False once the log
  /// is closed or failed.
  public func waitForQueuedWrites() -> Bool {
    monitor.waitFor(condition: DurableLog.queuedCondition) { (state) -> Bool? in
      if state.closed || state.failure != nil { return false }
      return !state.pending.isEmpty && !state.flushing ? true : nil
    } ?? false
  }

  /// Checks the log's internal invariants (the simulator calls this after every step); traps if
  /// one is broken.
  public func checkInvariants() {
    monitor.withLock { $0.checkInvariants() }
  }

  /// Closes the files. Queued writes that were not flushed are dropped (never acknowledged).
  public func close() {
    monitor.withLock { (state) in
      guard !state.closed else { return }
      state.closed = true
      for segment in state.segments { segment.file.close() }
    }
    monitor.broadcast(condition: DurableLog.durableCondition)
    monitor.broadcast(condition: DurableLog.queuedCondition)
  }
}

/// A queued write.
enum PendingWrite {
  case entries([Entry])
  case hardState(HardState)
  case snapshot(SnapshotMetadata, reset: Bool)
}

/// Everything the log's monitor guards.
struct LogState {
  // The durable view: what `LogStorage` shows.
  var table: EntryTable
  var cache: EntryCache
  var hardState: HardState
  /// The snapshot the log starts from. Its data stays in its file (read back when Raft needs
  /// it): holding it would cost as much memory again as the tree it was taken from.
  var snapshotMetadata: SnapshotMetadata
  var snapshotIndexes: [LogIndex]
  var segments: [Segment]
  var writeOffset: Int

  // The writer's view: durable state plus queued writes.
  var pending: [PendingWrite] = []
  var pendingBytes = 0
  var queuedLast: LogIndex
  var queuedBase: LogIndex
  var lastTicket = DurabilityTicket.zero
  var durableTicket = DurabilityTicket.zero
  var flushing = false
  var failure: PersistenceError?
  var closed = false

  init(_ recovered: RecoveredLog) {
    table = recovered.table
    cache = recovered.cache
    hardState = recovered.hardState
    snapshotMetadata = recovered.snapshotMetadata
    snapshotIndexes = recovered.snapshotIndexes
    segments = recovered.segments
    writeOffset = recovered.writeOffset
    queuedLast = recovered.table.lastIndex
    queuedBase = recovered.table.base
  }

  func checkUsable() throws(PersistenceError) {
    if let failure { throw .failed(failure.description) }
    if closed { throw .closed }
  }

  func checkInvariants() {
    table.checkInvariants()
    if let first = cache.firstIndex, let last = cache.lastIndex {
      precondition(
        first > table.base && last == table.lastIndex, "cache [\(first), \(last)] is not a suffix of the log")
      precondition(cache.entry(at: last)?.term == table.term(at: last), "cache and table disagree at \(last)")
    }
    precondition(
      table.base == snapshotMetadata.index,
      "table starts at \(table.base), snapshot at \(snapshotMetadata.index)")
    precondition(durableTicket <= lastTicket, "durable ticket ahead of the last ticket")
    precondition(!segments.isEmpty, "a log always has a segment")
    precondition(queuedBase >= table.base, "queued base behind durable base")
  }
}

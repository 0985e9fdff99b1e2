import RaftCore

/// What recovery found on disk: the state a `DurableLog` starts from.
struct RecoveredLog {
  var segments: [Segment]
  /// Where the next write goes in the last segment.
  var writeOffset: Int
  var table: EntryTable
  var cache: EntryCache
  var hardState: HardState
  var snapshotMetadata: SnapshotMetadata
  /// Snapshot files on disk, ascending.
  var snapshotIndexes: [LogIndex]
}

/// Reads a log directory back (segments in order, then the snapshot the log starts from).
///
/// Rules: a damaged record in the last segment whose damage lies inside the last write (no valid
/// record after it, or only records of that same write) is a torn tail: it is cut off, because
/// that write's fdatasync never completed, so nothing in it was acknowledged. Any other damage, a
/// hole in the segment sequence, or entries that no segment or snapshot holds is corruption: open
/// fails with an error naming the file and offset.
enum LogRecovery {
  static func recover(
    directory: String, fileSystem: any FileSystem, options: LogOptions
  ) throws(PersistenceError) -> RecoveredLog {
    try fileSystem.makeDirectory(directory)
    // The directory's own name must survive a power loss too.
    try fileSystem.syncDirectory(parentDirectory(of: directory))
    let names = try fileSystem.contentsOfDirectory(directory)
    var removedAny = false
    for name in names where name.hasSuffix(LogFileName.temporarySuffix) {
      // A file never renamed into place was never part of the log.
      try fileSystem.removeFile(joinPath(directory, name))
      removedAny = true
    }
    let segmentNames = names.compactMap { name in
      LogFileName.segmentSequence(name).map { (sequence: $0, name: name) }
    }
    var snapshotIndexes = names.compactMap(LogFileName.snapshotIndex)

    if segmentNames.isEmpty {
      guard snapshotIndexes.isEmpty else {
        throw .missingSegment(file: directory, reason: "snapshot files but no log segment")
      }
      let (segment, writeOffset) = try SegmentCreation.create(
        directory: directory, fileSystem: fileSystem, options: options, sequence: 0, firstIndex: LogIndex(1),
        preamble: [.snapshotMarker(index: .zero, term: .zero, reset: false), .hardState(.empty)])
      return RecoveredLog(
        segments: [segment], writeOffset: writeOffset, table: EntryTable(base: .zero),
        cache: EntryCache(bytesMax: options.cacheBytesMax), hardState: .empty, snapshotMetadata: SnapshotMetadata(),
        snapshotIndexes: [])
    }
    for k in segmentNames.indices.dropFirst()
    where segmentNames[k].sequence != segmentNames[k - 1].sequence + 1 {
      throw .missingSegment(
        file: joinPath(directory, LogFileName.segment(segmentNames[k - 1].sequence + 1)),
        reason: "segment sequence jumps from \(segmentNames[k - 1].name) to \(segmentNames[k].name)")
    }

    var replay = Replay(cache: EntryCache(bytesMax: options.cacheBytesMax))
    var segments: [Segment] = []
    var writeOffset = 0
    // Only the segments that can hold cached entries are decoded in full.
    let cachedFrom = max(0, segmentNames.count - 1 - options.cacheBytesMax / options.segmentBytes)
    for (k, entry) in segmentNames.enumerated() {
      let path = joinPath(directory, entry.name)
      let file = try fileSystem.openFile(path, create: false)
      let bytes = try file.read(at: 0, count: Int(try file.size()))
      let isLast = k == segmentNames.count - 1
      let (end, torn) = try bytes.withBytes { (raw) throws(PersistenceError) -> (Int, Bool) in
        let header = try SegmentHeader.decode(raw, file: path)
        guard header.sequence == entry.sequence else {
          throw .corruption(file: path, offset: 32, reason: "header says sequence \(header.sequence)")
        }
        guard header.clusterID == options.clusterID, header.nodeID == options.nodeID else {
          throw .identityMismatch(
            file: path,
            reason: "written by cluster \(header.clusterID) node \(header.nodeID), "
              + "opened as cluster \(options.clusterID) node \(options.nodeID)")
        }
        if k == 0 { replay.start(before: header.firstIndex) }
        segments.append(
          Segment(sequence: header.sequence, firstIndex: header.firstIndex, path: path, file: file))
        return try replay.segment(
          raw, sequence: entry.sequence, path: path, isLast: isLast, caching: k >= cachedFrom)
      }
      if isLast {
        writeOffset = end
        if torn {
          // Zero everything after the last whole record, so no stale bytes of the torn write
          // can ever follow records written from here on.
          try file.truncate(to: Int64(end))
          try file.preallocate(to: Int64(max(options.segmentBytes, end)))
          try file.sync()
        }
      }
    }

    let (table, base) = try replay.finish(
      firstSegment: segments[0].path, lastSegment: segments[segments.count - 1].path)
    var snapshot = Snapshot()
    if base.index > .zero {
      guard snapshotIndexes.contains(base.index) else {
        throw .missingSegment(
          file: joinPath(directory, LogFileName.snapshot(base.index)),
          reason: "the log starts after entry \(base.index) but its snapshot file is missing")
      }
      snapshot = try SnapshotFile.read(
        index: base.index, directory: directory, fileSystem: fileSystem, clusterID: options.clusterID,
        nodeID: options.nodeID)
      guard snapshot.metadata.term == base.term else {
        throw .corruption(
          file: joinPath(directory, LogFileName.snapshot(base.index)), offset: 40,
          reason: "snapshot term \(snapshot.metadata.term), log marker says \(base.term)")
      }
    }
    // Snapshot files after the log's marker were written but never recorded as the log's start.
    for index in snapshotIndexes where index > base.index {
      try fileSystem.removeFile(joinPath(directory, LogFileName.snapshot(index)))
      removedAny = true
    }
    snapshotIndexes.removeAll { $0 > base.index }
    if removedAny { try fileSystem.syncDirectory(directory) }
    return RecoveredLog(
      segments: segments, writeOffset: writeOffset, table: table, cache: replay.cache,
      hardState: replay.hardState,
      snapshotMetadata: snapshot.metadata, snapshotIndexes: snapshotIndexes)
  }
}

/// Replays records into the log's state, in the order they were written.
struct Replay {
  /// Entries, contiguous. Starts just before the first segment's `firstIndex`: entries before it
  /// were in deleted segments and must be covered by the snapshot by the end of the replay.
  var table = EntryTable(base: .zero)
  var cache: EntryCache
  var base: (index: LogIndex, term: Term) = (.zero, .zero)
  var hardState = HardState.empty
  private var caching = false

  init(cache: EntryCache) { self.cache = cache }

  mutating func start(before firstIndex: LogIndex) {
    table.reset(base: firstIndex > .zero ? firstIndex.previous : .zero)
  }

  /// Replays one segment; returns where its records end and whether a torn tail was cut there.
  mutating func segment(
    _ raw: UnsafeRawBufferPointer, sequence: UInt64, path: String, isLast: Bool, caching: Bool
  ) throws(PersistenceError) -> (end: Int, torn: Bool) {
    self.caching = caching
    let dataEnd = raw.endOfNonZero()
    var offset = SegmentHeader.bytes
    while true {
      switch WALRecordParser.parse(raw, at: offset, dataEnd: dataEnd) {
      case .end:
        return (offset, false)
      case .record(let kind, _, let payload, let next):
        try apply(
          kind: kind, payload: payload, raw: raw, location: RecordLocation(segment: sequence, offset: offset),
          path: path)
        offset = next
      case .damaged(let reason):
        if isLast, TornTail.isTorn(raw, damagedAt: offset, dataEnd: dataEnd) { return (offset, true) }
        throw .corruption(file: path, offset: Int64(offset), reason: reason)
      }
    }
  }

  private mutating func apply(
    kind: UInt8, payload: Range<Int>, raw: UnsafeRawBufferPointer, location: RecordLocation, path: String
  ) throws(PersistenceError) {
    let offset = Int64(location.offset)
    switch WALRecordKind(rawValue: kind) {
    case .entry:
      guard let head = WALRecordParser.entryHead(payload: payload, in: raw) else {
        throw .corruption(file: path, offset: offset, reason: "malformed entry record")
      }
      let index = head.index
      if index <= base.index { return }  // covered by the snapshot
      if index <= table.base {
        // Overwrites entries that were in deleted segments: what is before it must be covered by
        // the snapshot at the end.
        table.reset(base: index.previous)
        cache.clear()
      } else if index > table.lastIndex.next {
        throw .corruption(
          file: path, offset: offset,
          reason: "entry \(index) follows entry \(table.lastIndex): entries are missing")
      }
      table.append(index: index, term: head.term, location: location)
      if caching, case .entry(let entry)? = WALRecordParser.decode(kind: kind, payload: payload, in: raw) {
        cache.append(entry)
      } else {
        cache.truncate(from: index)
      }
    case .hardState:
      guard case .hardState(let state)? = WALRecordParser.decode(kind: kind, payload: payload, in: raw) else {
        throw .corruption(file: path, offset: offset, reason: "malformed hard state record")
      }
      hardState = state
    case .snapshotMarker:
      guard
        case .snapshotMarker(let index, let term, let reset)? = WALRecordParser.decode(
          kind: kind, payload: payload, in: raw)
      else { throw .corruption(file: path, offset: offset, reason: "malformed snapshot marker") }
      guard index >= base.index else {
        throw .corruption(
          file: path, offset: offset, reason: "snapshot marker \(index) goes back before \(base.index)")
      }
      if reset {
        table.reset(base: index)
        cache.clear()
      } else {
        table.compact(through: index)
        cache.compact(through: index)
      }
      base = (index, term)
    case nil:
      throw .corruption(file: path, offset: offset, reason: "unknown record kind \(kind)")
    }
  }

  /// Checks the replayed log is whole and returns it, starting right after the snapshot.
  mutating func finish(
    firstSegment: String, lastSegment: String
  ) throws(PersistenceError) -> (EntryTable, (index: LogIndex, term: Term)) {
    guard table.base <= base.index else {
      throw .missingSegment(
        file: firstSegment,
        reason: "entries \(base.index.next)...\(table.base) are in no segment and no snapshot covers them")
    }
    table.compact(through: base.index)
    cache.compact(through: base.index)
    guard hardState.commit <= table.lastIndex else {
      throw .missingSegment(
        file: lastSegment,
        reason: "the hard state commits \(hardState.commit) but the log ends at \(table.lastIndex)")
    }
    table.checkInvariants()
    return (table, base)
  }
}

/// Decides whether damage in the last segment is a torn final write.
enum TornTail {
  /// True if no valid record follows the damage at `offset`, or every valid record after it was
  /// carried by one write that began at or before `offset` (so the damage is inside that write,
  /// the last one, whose fdatasync had not completed). A valid record from a write that began
  /// after the damage means synced data was damaged: corruption.
  static func isTorn(_ raw: UnsafeRawBufferPointer, damagedAt offset: Int, dataEnd: Int) -> Bool {
    var writeStart: Int? = nil
    var probe = offset + 1
    while probe + WALRecordLayout.headerBytes <= dataEnd {
      guard case .record(_, let start, _, var next) = WALRecordParser.parse(raw, at: probe, dataEnd: dataEnd)
      else {
        probe += 1
        continue
      }
      if let writeStart, writeStart != start { return false }
      writeStart = start
      // Follow the valid records after it.
      probe = next
      while case .record(_, let following, _, let after) = WALRecordParser.parse(
        raw, at: probe, dataEnd: dataEnd)
      {
        if following != start { return false }
        next = after
        probe = after
      }
      probe = next + 1
    }
    guard let writeStart else { return true }
    return writeStart <= offset
  }
}

import RaftCore

/// The batch one flush writes, taken from the queue under the lock.
private struct FlushBatch {
  var writes: [PendingWrite]
  var ticket: DurabilityTicket
  var segment: Segment
  var writeOffset: Int
  /// The durable view when the batch was taken, for the preamble of a new segment.
  var base: SnapshotMetadata
  var hardState: HardState
  var lastIndex: LogIndex
}

extension DurableLog {
  /// A segment holding no more than its header and preamble is never left for a new one.
  private static let preambleBytesMax = 256

  /// Writes everything queued with one write and one fdatasync, makes it visible to the read
  /// side, then removes files a snapshot made obsolete. Returns the durable ticket. Only one
  /// flush runs at a time; a caller that finds one running waits for it first.
  @discardableResult
  public func flush() throws(PersistenceError) -> DurabilityTicket {
    enum Start {
      case nothingQueued(DurabilityTicket)
      case claimed
    }
    let start = try monitor.waitFor(condition: DurableLog.durableCondition) {
      (state) throws(PersistenceError) -> Start? in
      try state.checkUsable()
      if state.flushing { return nil }
      if state.pending.isEmpty { return .nothingQueued(state.durableTicket) }
      state.flushing = true
      return .claimed
    }
    if case .nothingQueued(let ticket)? = start { return ticket }

    if options.groupCommitWindowMicroseconds > 0 {
      // Group commit's bounded wait: let more appends join this write.
      let deadline = monotonicNanoseconds() + UInt64(options.groupCommitWindowMicroseconds) * 1000
      let enough = options.groupCommitBytes
      _ = monitor.waitFor(condition: DurableLog.queuedCondition, deadline: deadline) { (state) -> Bool? in
        state.pendingBytes >= enough || state.closed ? true : nil
      }
    }

    let batch = monitor.withLock { (state) -> FlushBatch in
      defer {
        state.pending.removeAll(keepingCapacity: true)
        state.pendingBytes = 0
      }
      return FlushBatch(
        writes: state.pending, ticket: state.lastTicket, segment: state.segments[state.segments.count - 1],
        writeOffset: state.writeOffset, base: state.snapshotMetadata, hardState: state.hardState,
        lastIndex: state.table.lastIndex)
    }

    let obsolete: [String]
    do {
      obsolete = try write(batch)
    } catch {
      monitor.withLock { (state) in
        state.failure = error
        state.flushing = false
      }
      monitor.broadcast(condition: DurableLog.durableCondition)
      monitor.broadcast(condition: DurableLog.queuedCondition)
      throw error
    }
    monitor.broadcast(condition: DurableLog.durableCondition)
    monitor.broadcast(condition: DurableLog.queuedCondition)
    do {
      for path in obsolete {
        // One directory sync per removal: removals become durable in order, so a crash never
        // leaves a hole in the middle of the segment sequence.
        try fileSystem.removeFile(path)
        try fileSystem.syncDirectory(directory)
      }
    } catch {
      monitor.withLock { $0.failure = error }
      throw error
    }
    return batch.ticket
  }

  /// Encodes, writes and syncs `batch`, then applies it to the durable view. Returns the paths of
  /// files that are no longer needed.
  private func write(_ batch: FlushBatch) throws(PersistenceError) -> [String] {
    // Hard states only matter last: one record, after the entries it may commit, so a torn write
    // never leaves a commit index ahead of the entries.
    var records: [WALRecord] = []
    var lastHardState: HardState? = nil
    for write in batch.writes {
      switch write {
      case .entries(let entries): records.append(contentsOf: entries.lazy.map { .entry($0) })
      case .hardState(let state): lastHardState = state
      case .snapshot(let metadata, let reset):
        records.append(.snapshotMarker(index: metadata.index, term: metadata.term, reset: reset))
      }
    }
    if let lastHardState { records.append(.hardState(lastHardState)) }
    let bytes = records.reduce(0) { $0 + $1.encodedBytes }

    var segment = batch.segment
    var writeOffset = batch.writeOffset
    var newSegment: Segment? = nil
    if writeOffset + bytes > options.segmentBytes, writeOffset > DurableLog.preambleBytesMax {
      let created = try SegmentCreation.create(
        directory: directory, fileSystem: fileSystem, options: options, sequence: segment.sequence + 1,
        firstIndex: batch.lastIndex.next,
        preamble: [
          .snapshotMarker(index: batch.base.index, term: batch.base.term, reset: false),
          .hardState(batch.hardState),
        ])
      segment = created.0
      writeOffset = created.1
      newSegment = segment
    }
    precondition(writeOffset + bytes <= Int(UInt32.max), "a write of \(bytes) bytes does not fit a segment")

    var buffer: [UInt8] = []
    buffer.reserveCapacity(bytes)
    var locations: [RecordLocation] = []
    for record in records {
      if case .entry = record {
        locations.append(RecordLocation(segment: segment.sequence, offset: writeOffset + buffer.count))
      }
      record.encode(batchStart: UInt32(writeOffset), into: &buffer)
    }
    try segment.file.write(buffer, at: Int64(writeOffset))
    try segment.file.syncData()

    return monitor.withLock { (state) -> [String] in
      if let newSegment { state.segments.append(newSegment) }
      state.writeOffset = writeOffset + buffer.count
      var next = 0
      var snapshotApplied = false
      for write in batch.writes {
        switch write {
        case .entries(let entries):
          for entry in entries {
            state.table.append(index: entry.index, term: entry.term, location: locations[next])
            state.cache.append(entry)
            next += 1
          }
        case .hardState(let hardState):
          state.hardState = hardState
        case .snapshot(let metadata, let reset):
          let index = metadata.index
          if reset {
            state.table.reset(base: index)
            state.cache.clear()
          } else {
            state.table.compact(through: index)
            state.cache.compact(through: index)
          }
          state.snapshotMetadata = metadata
          if state.snapshotIndexes.last != index { state.snapshotIndexes.append(index) }
          snapshotApplied = true
        }
      }
      state.durableTicket = batch.ticket
      state.flushing = false
      var obsolete: [String] = []
      if snapshotApplied { obsolete = removeObsolete(&state) }
      state.checkInvariants()
      return obsolete
    }
  }

  /// Drops snapshot files beyond `snapshotsRetained`, and segments whose every entry the oldest
  /// kept snapshot covers (segment k can go once segment k + 1 starts after that snapshot:
  /// entries before `firstIndex` of k + 1 are all in segments up to k). Returns their paths,
  /// oldest first.
  private func removeObsolete(_ state: inout LogState) -> [String] {
    var obsolete: [String] = []
    while state.snapshotIndexes.count > options.snapshotsRetained {
      obsolete.append(joinPath(directory, LogFileName.snapshot(state.snapshotIndexes.removeFirst())))
    }
    let oldestKept = state.snapshotIndexes.first ?? .zero
    while state.segments.count >= 2, state.segments[1].firstIndex <= oldestKept.next {
      let segment = state.segments.removeFirst()
      segment.file.close()
      obsolete.append(segment.path)
    }
    return obsolete
  }
}

import RaftCore

/// The read side Raft uses. Everything here is durable: queued writes appear only once flushed.
/// Recent entries come from the cache; older ones are read back from their segment (and their
/// checksum verified again).
extension DurableLog: LogStorage {
  public func initialState() throws(StorageError) -> (HardState, ConfState) {
    monitor.withLock { ($0.hardState, $0.snapshotMetadata.confState) }
  }

  public func entries(_ range: Range<LogIndex>, maxBytes: Int) throws(StorageError) -> [Entry] {
    try monitor.withLock { (state) throws(StorageError) -> [Entry] in
      if range.lowerBound <= state.table.base { throw .compacted }
      if range.upperBound > state.table.lastIndex.next { throw .unavailable }
      var result: [Entry] = []
      var bytes = 0
      var index = range.lowerBound
      while index < range.upperBound {
        let entry: Entry
        if let cached = state.cache.entry(at: index) {
          entry = cached
        } else {
          do throws(PersistenceError) {
            entry = try readEntry(state.table.location(at: index), state: state)
          } catch {
            throw .io(error.description)
          }
        }
        bytes += entry.sizeBytes
        if bytes > maxBytes && !result.isEmpty { break }
        result.append(entry)
        index = index.next
      }
      return result
    }
  }

  public func term(at index: LogIndex) throws(StorageError) -> Term {
    try monitor.withLock { (state) throws(StorageError) -> Term in
      if index == state.table.base { return state.snapshotMetadata.term }
      if index < state.table.base { throw .compacted }
      if index > state.table.lastIndex { throw .unavailable }
      return state.table.term(at: index)
    }
  }

  public func firstIndex() throws(StorageError) -> LogIndex {
    monitor.withLock { $0.table.base.next }
  }

  public func lastIndex() throws(StorageError) -> LogIndex {
    monitor.withLock { $0.table.lastIndex }
  }

  /// The snapshot the log starts from, read back from its file (and its checksum verified).
  /// With the lock held, so the file cannot be removed meanwhile.
  public func snapshot() throws(StorageError) -> Snapshot {
    try monitor.withLock { (state) throws(StorageError) -> Snapshot in
      let metadata = state.snapshotMetadata
      guard metadata.index > .zero else { return Snapshot(metadata: metadata) }
      do throws(PersistenceError) {
        return try SnapshotFile.read(
          index: metadata.index, directory: directory, fileSystem: fileSystem, clusterID: options.clusterID,
          nodeID: options.nodeID)
      } catch {
        throw .io(error.description)
      }
    }
  }

  public func snapshotMetadata() throws(StorageError) -> SnapshotMetadata {
    monitor.withLock { $0.snapshotMetadata }
  }

  /// Part of the snapshot's data, read from its file in place: a leader sends a large snapshot
  /// chunk by chunk without holding it in memory. (The tree's own checksum, inside the data,
  /// is verified when the follower loads it.)
  public func snapshotChunk(from offset: UInt64, maxBytes: Int) throws(StorageError) -> SnapshotChunk {
    try monitor.withLock { (state) throws(StorageError) -> SnapshotChunk in
      let metadata = state.snapshotMetadata
      guard metadata.index > .zero else { return SnapshotChunk(metadata: metadata, bytes: [], totalBytes: 0) }
      do throws(PersistenceError) {
        let (bytes, total) = try SnapshotFile.readData(
          index: metadata.index, metadata: metadata, from: offset, maxBytes: maxBytes, directory: directory,
          fileSystem: fileSystem)
        return SnapshotChunk(metadata: metadata, bytes: bytes, totalBytes: total)
      } catch {
        throw .io(error.description)
      }
    }
  }

  /// Reads one entry record back from its segment; called with the lock held, so the segment
  /// cannot be closed meanwhile.
  private func readEntry(_ location: RecordLocation, state: LogState) throws(PersistenceError) -> Entry {
    let first = state.segments[0].sequence
    guard location.segment >= first, location.segment - first < UInt64(state.segments.count) else {
      throw .failed("entry in segment \(location.segment), which is no longer open")
    }
    let segment = state.segments[Int(location.segment - first)]
    let header = try segment.file.read(at: Int64(location.offset), count: WALRecordLayout.headerBytes)
    guard header.count == WALRecordLayout.headerBytes else {
      throw .corruption(file: segment.path, offset: Int64(location.offset), reason: "entry record cut short")
    }
    let length = Int(header.withUnsafeBytes { $0.littleEndianUInt32(at: 0) })
    guard length <= WALRecordLayout.payloadBytesMax else {
      throw .corruption(
        file: segment.path, offset: Int64(location.offset),
        reason: "record length \(length) exceeds the limit")
    }
    let record = try segment.file.read(
      at: Int64(location.offset), count: WALRecordLayout.headerBytes + length)
    return try record.withBytes { (raw) throws(PersistenceError) -> Entry in
      guard case .record(let kind, _, let payload, _) = WALRecordParser.parse(raw, at: 0, dataEnd: raw.count),
        case .entry(let entry)? = WALRecordParser.decode(kind: kind, payload: payload, in: raw)
      else {
        throw .corruption(
          file: segment.path, offset: Int64(location.offset), reason: "entry record no longer valid")
      }
      return entry
    }
  }
}

import RaftCore

/// Creating a segment so that a segment under its final name always has a durable header and
/// preamble: written under a temporary name, pre-allocated, fsynced, renamed, directory fsynced.
enum SegmentCreation {
  /// Creates segment `sequence`; returns it open, and the offset where records continue.
  static func create(
    directory: String, fileSystem: any FileSystem, options: LogOptions, sequence: UInt64,
    firstIndex: LogIndex,
    preamble: [WALRecord]
  ) throws(PersistenceError) -> (Segment, Int) {
    let name = LogFileName.segment(sequence)
    let path = joinPath(directory, name)
    let temporary = path + LogFileName.temporarySuffix
    let header = SegmentHeader(
      clusterID: options.clusterID, nodeID: options.nodeID, sequence: sequence, firstIndex: firstIndex)
    var bytes = header.encoded()
    for record in preamble { record.encode(batchStart: UInt32(SegmentHeader.bytes), into: &bytes) }
    let file = try fileSystem.openFile(temporary, create: true)
    do {
      try file.truncate(to: 0)
      try file.preallocate(to: Int64(max(options.segmentBytes, bytes.count)))
      try file.write(bytes, at: 0)
      try file.sync()
      try fileSystem.rename(temporary, to: path)
      try fileSystem.syncDirectory(directory)
    } catch {
      file.close()
      throw error
    }
    file.close()
    // Reopened under its final name, so errors name the file as it is on disk.
    let final = try fileSystem.openFile(path, create: false)
    return (Segment(sequence: sequence, firstIndex: firstIndex, path: path, file: final), bytes.count)
  }
}

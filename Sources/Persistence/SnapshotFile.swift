import Checksums
import RaftCore

/// A snapshot file (format version 1), written whole to a temporary name, synced, renamed into
/// place and the directory synced, so a snapshot file under its final name is always complete:
///
///     0   magic          "GROVESNP"
///     8   formatVersion  u16 (1)
///     10  reserved       u16, u32 (0)
///     16  clusterID      u64
///     24  nodeID         u64
///     32  index          u64
///     40  term           u64
///     48  voterCount     u32, learnerCount u32
///     56  voters, learners  u64 each
///         dataBytes      u64, then the data
///         crc            u32  CRC-32C of everything before it
enum SnapshotFile {
  static let magic: [UInt8] = Array("GROVESNP".utf8)
  static let formatVersion: UInt16 = 1
  /// Membership larger than this is damage, not data.
  static let membersMax = 1 << 16

  /// Everything before the data.
  static func header(_ metadata: SnapshotMetadata, dataBytes: Int, clusterID: UInt64, nodeID: NodeID) -> [UInt8] {
    var buffer = magic
    buffer.reserveCapacity(dataOffset(metadata))
    buffer.appendLittleEndian(formatVersion)
    buffer.appendLittleEndian(UInt16(0))
    buffer.appendLittleEndian(UInt32(0))
    buffer.appendLittleEndian(clusterID)
    buffer.appendLittleEndian(nodeID.rawValue)
    buffer.appendLittleEndian(metadata.index.rawValue)
    buffer.appendLittleEndian(metadata.term.rawValue)
    buffer.appendLittleEndian(UInt32(metadata.confState.voters.count))
    buffer.appendLittleEndian(UInt32(metadata.confState.learners.count))
    for node in metadata.confState.voters { buffer.appendLittleEndian(node.rawValue) }
    for node in metadata.confState.learners { buffer.appendLittleEndian(node.rawValue) }
    buffer.appendLittleEndian(UInt64(dataBytes))
    return buffer
  }

  /// How much of a snapshot is written between two syncs of its file.
  static let writePieceBytes = 1 << 20

  /// Where the data starts in the file of a snapshot with this membership.
  static func dataOffset(_ metadata: SnapshotMetadata) -> Int {
    64 + 8 * (metadata.confState.voters.count + metadata.confState.learners.count)
  }

  static func decode(
    _ bytes: [UInt8], file: String, clusterID: UInt64, nodeID: NodeID
  ) throws(PersistenceError) -> Snapshot {
    try bytes.withBytes { (raw) throws(PersistenceError) -> Snapshot in
      guard raw.count >= 68, raw.prefix(8).elementsEqual(magic) else {
        throw .corruption(file: file, offset: 0, reason: "not a Grove snapshot file")
      }
      let version = raw.littleEndianUInt16(at: 8)
      guard version == formatVersion else { throw .unsupportedVersion(file: file, version: version) }
      let stored = raw.littleEndianUInt32(at: raw.count - 4)
      guard CRC32C.checksum(raw, range: 0..<raw.count - 4) == stored else {
        throw .corruption(file: file, offset: Int64(raw.count - 4), reason: "snapshot checksum mismatch")
      }
      var cursor = ByteCursor(raw, from: 16, to: raw.count - 4)
      guard let cluster = cursor.uint64(), let node = cursor.uint64(), let index = cursor.uint64(),
        let term = cursor.uint64(), let voterCount = cursor.uint32(), let learnerCount = cursor.uint32(),
        Int(voterCount) + Int(learnerCount) <= membersMax
      else {
        throw .corruption(file: file, offset: Int64(cursor.offset), reason: "snapshot header malformed")
      }
      guard cluster == clusterID, NodeID(node) == nodeID else {
        throw .identityMismatch(
          file: file,
          reason: "written by cluster \(cluster) node \(node), opened as cluster \(clusterID) node \(nodeID)")
      }
      var voters: [NodeID] = []
      var learners: [NodeID] = []
      for k in 0..<Int(voterCount) + Int(learnerCount) {
        guard let id = cursor.uint64() else {
          throw .corruption(file: file, offset: Int64(cursor.offset), reason: "snapshot membership cut short")
        }
        if k < voterCount { voters.append(NodeID(id)) } else { learners.append(NodeID(id)) }
      }
      guard let dataBytes = cursor.uint64(), dataBytes == UInt64(cursor.remaining),
        let data = cursor.bytes(Int(dataBytes))
      else {
        throw .corruption(file: file, offset: Int64(cursor.offset), reason: "snapshot data length wrong")
      }
      let metadata = SnapshotMetadata(
        index: LogIndex(index), term: Term(term), confState: ConfState(voters: voters, learners: learners))
      return Snapshot(metadata: metadata, data: data)
    }
  }

  /// Writes `snapshot` durably into `directory`: temporary file, sync, rename, directory sync.
  /// At most `bytesPerSecond` (0: no limit), in pieces each synced before the next.
  static func write(
    _ snapshot: Snapshot, directory: String, fileSystem: any FileSystem, clusterID: UInt64, nodeID: NodeID,
    bytesPerSecond: Int = 0
  ) throws(PersistenceError) {
    let name = LogFileName.snapshot(snapshot.metadata.index)
    let temporary = joinPath(directory, name + LogFileName.temporarySuffix)
    let file = try fileSystem.openFile(temporary, create: true)
    defer { file.close() }
    try file.truncate(to: 0)
    // Header, data and checksum as three writes: the data, often hundreds of megabytes, is
    // written from the caller's buffer rather than copied into a new one.
    let head = header(snapshot.metadata, dataBytes: snapshot.data.count, clusterID: clusterID, nodeID: nodeID)
    let crc = CRC32C.checksum(snapshot.data, seed: CRC32C.checksum(head))
    var trailer: [UInt8] = []
    trailer.appendLittleEndian(crc)
    try file.write(head, at: 0)
    // In pieces, each made durable before the next: a file system that orders data before its
    // journal commits (ext4's default) would otherwise make the write-ahead log's next fdatasync
    // wait for hundreds of megabytes of snapshot to reach the disk, and every write behind it.
    var written = 0
    let started = monotonicNanoseconds()
    while written < snapshot.data.count {
      let end = min(snapshot.data.count, written + writePieceBytes)
      try file.write(Array(snapshot.data[written..<end]), at: Int64(head.count + written))
      try file.syncData()
      written = end
      if bytesPerSecond > 0 {
        let dueNs = UInt64(Double(written) / Double(bytesPerSecond) * 1e9)
        let elapsedNs = monotonicNanoseconds() - started
        if dueNs > elapsedNs { sleepNanoseconds(dueNs - elapsedNs) }
      }
    }
    try file.write(trailer, at: Int64(head.count + snapshot.data.count))
    try file.sync()
    try fileSystem.rename(temporary, to: joinPath(directory, name))
    try fileSystem.syncDirectory(directory)
  }

  /// Up to `maxBytes` of the data of the snapshot file of `index`, from `offset`, and the data's
  /// total size. Only the header is checked (the whole-file checksum needs the whole file).
  static func readData(
    index: LogIndex, metadata: SnapshotMetadata, from offset: UInt64, maxBytes: Int, directory: String,
    fileSystem: any FileSystem
  ) throws(PersistenceError) -> (bytes: [UInt8], totalBytes: UInt64) {
    let path = joinPath(directory, LogFileName.snapshot(index))
    let file = try fileSystem.openFile(path, create: false)
    defer { file.close() }
    let start = dataOffset(metadata)
    let size = try file.size()
    guard size >= Int64(start + 4) else {
      throw .corruption(file: path, offset: 0, reason: "snapshot file shorter than its header")
    }
    let lengthBytes = try file.read(at: Int64(start - 8), count: 8)
    let total = lengthBytes.withUnsafeBytes { $0.littleEndianUInt64(at: 0) }
    guard Int64(start) + Int64(total) + 4 == size else {
      throw .corruption(file: path, offset: Int64(start - 8), reason: "snapshot data length wrong")
    }
    let from = min(offset, total)
    let count = Int(min(UInt64(max(0, maxBytes)), total - from))
    let bytes = count == 0 ? [] : try file.read(at: Int64(start) + Int64(from), count: count)
    return (bytes, total)
  }

  /// Reads and checks the snapshot file of `index`.
  static func read(
    index: LogIndex, directory: String, fileSystem: any FileSystem, clusterID: UInt64, nodeID: NodeID
  ) throws(PersistenceError) -> Snapshot {
    let path = joinPath(directory, LogFileName.snapshot(index))
    let file = try fileSystem.openFile(path, create: false)
    defer { file.close() }
    let bytes = try file.read(at: 0, count: Int(try file.size()))
    let snapshot = try decode(bytes, file: path, clusterID: clusterID, nodeID: nodeID)
    guard snapshot.metadata.index == index else {
      throw .corruption(
        file: path, offset: 32, reason: "holds index \(snapshot.metadata.index), name says \(index)")
    }
    return snapshot
  }
}

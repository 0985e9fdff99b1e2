import Checksums
import RaftCore

/// The first 64 bytes of every segment file (format version 1):
///
///     0   magic          "GROVEWAL"
///     8   formatVersion  u16 (1)
///     10  headerBytes    u16 (64)
///     12  reserved       u32 (0)
///     16  clusterID      u64
///     24  nodeID         u64
///     32  sequence       u64  position of the segment in the log, from 0, without holes
///     40  firstIndex     u64  last index + 1 of the log when the segment was created
///     48  reserved       12 bytes (0)
///     60  crc            u32  CRC-32C of bytes 0..<60
///
/// Records follow at offset 64. A segment's first records are a preamble (the snapshot marker and
/// hard state current when it was created) so that older segments can be deleted after a snapshot.
struct SegmentHeader: Equatable {
  static let magic: [UInt8] = Array("GROVEWAL".utf8)
  static let formatVersion: UInt16 = 1
  static let bytes = 64

  var clusterID: UInt64
  var nodeID: NodeID
  var sequence: UInt64
  var firstIndex: LogIndex

  func encoded() -> [UInt8] {
    var buffer = SegmentHeader.magic
    buffer.reserveCapacity(SegmentHeader.bytes)
    buffer.appendLittleEndian(SegmentHeader.formatVersion)
    buffer.appendLittleEndian(UInt16(SegmentHeader.bytes))
    buffer.appendLittleEndian(UInt32(0))
    buffer.appendLittleEndian(clusterID)
    buffer.appendLittleEndian(nodeID.rawValue)
    buffer.appendLittleEndian(sequence)
    buffer.appendLittleEndian(firstIndex.rawValue)
    buffer.append(contentsOf: [UInt8](repeating: 0, count: 12))
    buffer.appendLittleEndian(CRC32C.checksum(buffer))
    return buffer
  }

  /// Decodes and checks the header of `file`.
  static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws(PersistenceError) -> SegmentHeader
  {
    guard bytes.count >= SegmentHeader.bytes else {
      throw .corruption(
        file: file, offset: 0, reason: "segment shorter than its \(SegmentHeader.bytes)-byte header")
    }
    guard bytes.prefix(8).elementsEqual(SegmentHeader.magic) else {
      throw .corruption(file: file, offset: 0, reason: "not a Grove log segment (bad magic)")
    }
    let version = bytes.littleEndianUInt16(at: 8)
    guard version == SegmentHeader.formatVersion else {
      throw .unsupportedVersion(file: file, version: version)
    }
    guard CRC32C.checksum(bytes, range: 0..<60) == bytes.littleEndianUInt32(at: 60) else {
      throw .corruption(file: file, offset: 0, reason: "segment header checksum mismatch")
    }
    guard bytes.littleEndianUInt16(at: 10) == UInt16(SegmentHeader.bytes) else {
      throw .corruption(file: file, offset: 10, reason: "unexpected segment header size")
    }
    return SegmentHeader(
      clusterID: bytes.littleEndianUInt64(at: 16), nodeID: NodeID(bytes.littleEndianUInt64(at: 24)),
      sequence: bytes.littleEndianUInt64(at: 32), firstIndex: LogIndex(bytes.littleEndianUInt64(at: 40)))
  }
}

/// File names in the log directory.
enum LogFileName {
  static let segmentSuffix = ".wal"
  static let snapshotPrefix = "snap-"
  static let snapshotSuffix = ".snap"
  static let temporarySuffix = ".tmp"

  /// `0000000000000007.wal`: the sequence number, 16 hex digits, so names sort in log order.
  static func segment(_ sequence: UInt64) -> String { hex16(sequence) + segmentSuffix }

  /// `snap-00000000000003e8.snap`: the snapshot's index, 16 hex digits.
  static func snapshot(_ index: LogIndex) -> String {
    snapshotPrefix + hex16(index.rawValue) + snapshotSuffix
  }

  static func segmentSequence(_ name: String) -> UInt64? {
    guard name.hasSuffix(segmentSuffix), name.utf8.count == 16 + segmentSuffix.utf8.count else { return nil }
    return UInt64(name.prefix(16), radix: 16)
  }

  static func snapshotIndex(_ name: String) -> LogIndex? {
    guard name.hasPrefix(snapshotPrefix), name.hasSuffix(snapshotSuffix),
      name.utf8.count == snapshotPrefix.utf8.count + 16 + snapshotSuffix.utf8.count
    else { return nil }
    return UInt64(name.dropFirst(snapshotPrefix.utf8.count).prefix(16), radix: 16).map { LogIndex($0) }
  }

  static func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

import Checksums
import RaftCore

/// One record of the write-ahead log, as its payload means it.
///
/// On disk (format version 1), every record is a 13-byte header followed by the payload:
///
///     length      u32  payload bytes
///     crc         u32  CRC-32C over length, batchStart, kind and payload (all but itself)
///     batchStart  u32  offset in the segment where the write that carried it began
///     kind        u8   WALRecordKind
///     payload
///
/// All integers little-endian. A header of 13 zero bytes is never written: it is pre-allocated
/// space. The batch start lets recovery tell a torn final write (damage inside the last write,
/// whose fdatasync may not have completed) from corruption of data that was already synced.
enum WALRecord: Equatable {
  /// A log entry (Raft §5.3). An entry at index i drops every entry at i and after from the log.
  case entry(Entry)
  /// Raft's persistent state (term, vote) plus the commit index.
  case hardState(HardState)
  /// The log now starts after `index` (whose term is `term`): entries up to it are in the snapshot
  /// file of that index. `reset` drops every entry after it too (a snapshot installed from the
  /// leader replaces the whole log).
  case snapshotMarker(index: LogIndex, term: Term, reset: Bool)
}

/// The kind byte of a record.
enum WALRecordKind: UInt8 {
  case entry = 1
  case hardState = 2
  case snapshotMarker = 3
}

enum WALRecordLayout {
  static let headerBytes = 13
  /// Payload bytes an entry record spends before the entry's data.
  static let entryPrefixBytes = 17
  /// Upper bound on one record's payload; a longer length field is damage, not data.
  static let payloadBytesMax = 64 << 20
}

extension WALRecord {
  /// Appends the record, with its header and checksum, to `buffer`.
  func encode(batchStart: UInt32, into buffer: inout [UInt8]) {
    let start = buffer.count
    buffer.appendLittleEndian(UInt32(0))  // length, filled below
    buffer.appendLittleEndian(UInt32(0))  // crc, filled below
    buffer.appendLittleEndian(batchStart)
    switch self {
    case .entry(let entry):
      buffer.append(WALRecordKind.entry.rawValue)
      buffer.appendLittleEndian(entry.term.rawValue)
      buffer.appendLittleEndian(entry.index.rawValue)
      buffer.append(entry.kind.rawValue)
      buffer.append(contentsOf: entry.data)
    case .hardState(let state):
      buffer.append(WALRecordKind.hardState.rawValue)
      buffer.appendLittleEndian(state.term.rawValue)
      buffer.appendLittleEndian(state.vote.rawValue)
      buffer.appendLittleEndian(state.commit.rawValue)
    case .snapshotMarker(let index, let term, let reset):
      buffer.append(WALRecordKind.snapshotMarker.rawValue)
      buffer.appendLittleEndian(index.rawValue)
      buffer.appendLittleEndian(term.rawValue)
      buffer.append(reset ? 1 : 0)
    }
    let payloadBytes = buffer.count - start - WALRecordLayout.headerBytes
    precondition(
      payloadBytes <= WALRecordLayout.payloadBytesMax, "record of \(payloadBytes) bytes is too large")
    buffer.storeLittleEndian(UInt32(payloadBytes), at: start)
    let crc = buffer.withUnsafeBytes { bytes in
      let lengthCRC = CRC32C.checksum(bytes, range: start..<start + 4)
      return CRC32C.checksum(bytes, range: start + 8..<buffer.count, seed: lengthCRC)
    }
    buffer.storeLittleEndian(crc, at: start + 4)
  }

  /// Bytes the record takes on disk.
  var encodedBytes: Int {
    switch self {
    case .entry(let entry): WALRecordLayout.headerBytes + WALRecordLayout.entryPrefixBytes + entry.data.count
    case .hardState: WALRecordLayout.headerBytes + 24
    case .snapshotMarker: WALRecordLayout.headerBytes + 17
    }
  }
}

/// What the parser found at one offset of a segment.
enum ParsedRecord {
  /// A record whose checksum holds; `payload` is the range of its payload bytes.
  case record(kind: UInt8, batchStart: Int, payload: Range<Int>, next: Int)
  /// Zero bytes from here to the end of the data: the end of the segment's records.
  case end
  /// The bytes here are not a valid record.
  case damaged(reason: String)
}

enum WALRecordParser {
  /// Parses the record at `offset` of `bytes`, where `dataEnd` is the offset past the last
  /// non-zero byte. Never traps on damaged input.
  static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int, dataEnd: Int) -> ParsedRecord {
    if offset >= dataEnd { return .end }
    guard bytes.count - offset >= WALRecordLayout.headerBytes else {
      return .damaged(reason: "record header cut short by the end of the file")
    }
    let length = Int(bytes.littleEndianUInt32(at: offset))
    let storedCRC = bytes.littleEndianUInt32(at: offset + 4)
    let batchStart = bytes.littleEndianUInt32(at: offset + 8)
    let kind = bytes[offset + 12]
    if length == 0 && storedCRC == 0 && batchStart == 0 && kind == 0 {
      return .damaged(reason: "zeroed record header before the end of the written data")
    }
    guard length <= WALRecordLayout.payloadBytesMax else {
      return .damaged(reason: "record length \(length) exceeds the limit")
    }
    let payloadStart = offset + WALRecordLayout.headerBytes
    guard length <= bytes.count - payloadStart else {
      return .damaged(reason: "record of \(length) bytes runs past the end of the file")
    }
    let lengthCRC = CRC32C.checksum(bytes, range: offset..<offset + 4)
    let crc = CRC32C.checksum(bytes, range: offset + 8..<payloadStart + length, seed: lengthCRC)
    guard crc == storedCRC else { return .damaged(reason: "checksum mismatch") }
    return .record(
      kind: kind, batchStart: Int(batchStart), payload: payloadStart..<payloadStart + length,
      next: payloadStart + length)
  }

  /// Decodes a checksummed payload; nil if it does not have the shape its kind requires (which,
  /// past a valid checksum, means a writer bug or a format this code does not know).
  static func decode(kind: UInt8, payload: Range<Int>, in bytes: UnsafeRawBufferPointer) -> WALRecord? {
    var cursor = ByteCursor(bytes, from: payload.lowerBound, to: payload.upperBound)
    switch WALRecordKind(rawValue: kind) {
    case .entry:
      guard let term = cursor.uint64(), let index = cursor.uint64(), let rawKind = cursor.uint8(),
        let entryKind = EntryKind(rawValue: rawKind), let data = cursor.bytes(cursor.remaining)
      else { return nil }
      return .entry(Entry(term: Term(term), index: LogIndex(index), kind: entryKind, data: data))
    case .hardState:
      guard let term = cursor.uint64(), let vote = cursor.uint64(), let commit = cursor.uint64(),
        cursor.remaining == 0
      else { return nil }
      return .hardState(HardState(term: Term(term), vote: NodeID(vote), commit: LogIndex(commit)))
    case .snapshotMarker:
      guard let index = cursor.uint64(), let term = cursor.uint64(), let reset = cursor.uint8(),
        reset <= 1, cursor.remaining == 0
      else { return nil }
      return .snapshotMarker(index: LogIndex(index), term: Term(term), reset: reset == 1)
    case nil:
      return nil
    }
  }

  /// The term and index of an entry record without copying its data (recovery's fast path).
  static func entryHead(payload: Range<Int>, in bytes: UnsafeRawBufferPointer) -> (
    term: Term, index: LogIndex
  )? {
    guard payload.count >= WALRecordLayout.entryPrefixBytes,
      EntryKind(rawValue: bytes[payload.lowerBound + 16]) != nil
    else { return nil }
    return (
      Term(bytes.littleEndianUInt64(at: payload.lowerBound)),
      LogIndex(bytes.littleEndianUInt64(at: payload.lowerBound + 8))
    )
  }
}

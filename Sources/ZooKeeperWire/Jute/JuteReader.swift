/// Reads jute's binary encoding from a byte array, bounds-checked at every step.
///
/// `lengthBound` caps every string, buffer and vector count (ZooKeeper checks these against
/// `jute.maxbuffer` plus an extra allowance); nothing is allocated before its length is checked
/// against both the bound and the bytes actually left.
public struct JuteReader: Sendable {
  /// The bytes being read (the reader only looks at `offset..<end`).
  public let bytes: [UInt8]
  /// The next byte to read.
  public private(set) var offset: Int
  /// One past the last byte the reader may read.
  public let end: Int
  /// The largest string, buffer or vector length accepted.
  public let lengthBound: Int

  /// The default bound: ZooKeeper's `jute.maxbuffer` default (0xfffff) plus its equal extra size.
  public static let defaultLengthBound = 0xfffff * 2

  /// A reader over all of `bytes`.
  public init(_ bytes: [UInt8], lengthBound: Int = JuteReader.defaultLengthBound) {
    self.init(bytes, range: 0..<bytes.count, lengthBound: lengthBound)
  }

  /// A reader over `range` of `bytes` (no copy).
  public init(_ bytes: [UInt8], range: Range<Int>, lengthBound: Int = JuteReader.defaultLengthBound) {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside bytes")
    self.bytes = bytes
    self.offset = range.lowerBound
    self.end = range.upperBound
    self.lengthBound = lengthBound
  }

  /// Bytes left to read.
  public var remaining: Int { end - offset }
  /// Whether every byte has been read.
  public var isAtEnd: Bool { offset == end }

  private func require(_ count: Int) throws(JuteError) {
    if count > end - offset { throw .truncated(needed: count, available: end - offset) }
  }

  /// A jute `byte`.
  public mutating func readByte() throws(JuteError) -> UInt8 {
    try require(1)
    defer { offset += 1 }
    return bytes[offset]
  }

  /// A jute `boolean`: 0 or 1; any other byte is `invalidBoolean`.
  public mutating func readBool() throws(JuteError) -> Bool {
    let b = try readByte()
    switch b {
    case 0: return false
    case 1: return true
    default: throw .invalidBoolean(b)
    }
  }

  /// A jute `int`: 4 bytes, big-endian.
  public mutating func readInt32() throws(JuteError) -> Int32 {
    try require(4)
    var v: UInt32 = 0
    for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
    offset += 4
    return Int32(bitPattern: v)
  }

  /// A jute `long`: 8 bytes, big-endian.
  public mutating func readInt64() throws(JuteError) -> Int64 {
    try require(8)
    var v: UInt64 = 0
    for i in 0..<8 { v = v << 8 | UInt64(bytes[offset + i]) }
    offset += 8
    return Int64(bitPattern: v)
  }

  /// A length prefix: -1 is nil; other negatives and values over the bound are errors.
  private mutating func readLength() throws(JuteError) -> Int? {
    let raw = try readInt32()
    if raw == -1 { return nil }
    if raw < 0 { throw .invalidLength(raw) }
    let length = Int(raw)
    if length > lengthBound { throw .lengthOverBound(length: length, bound: lengthBound) }
    return length
  }

  /// A jute `buffer`; length -1 decodes as nil.
  public mutating func readOptionalBuffer() throws(JuteError) -> [UInt8]? {
    guard let length = try readLength() else { return nil }
    try require(length)
    defer { offset += length }
    return Array(bytes[offset..<offset + length])
  }

  /// Where a jute `buffer` lies in `bytes`, without copying it out; null reads as empty.
  public mutating func readBufferRange() throws(JuteError) -> Range<Int> {
    guard let length = try readLength() else { return offset..<offset }
    try require(length)
    defer { offset += length }
    return offset..<offset + length
  }

  /// A jute `buffer` where null is read as empty, as ZooKeeper's server does.
  public mutating func readBuffer() throws(JuteError) -> [UInt8] {
    try readOptionalBuffer() ?? []
  }

  /// A jute `ustring`; length -1 decodes as nil.
  public mutating func readOptionalString() throws(JuteError) -> String? {
    guard let length = try readLength() else { return nil }
    try require(length)
    defer { offset += length }
    return try Self.decodeUTF8(bytes, offset..<offset + length)
  }

  /// Strict UTF-8 decoding. Paths and names are nearly always ASCII, which needs no
  /// validation beyond a byte scan; anything else goes through the standard validator.
  private static func decodeUTF8(_ bytes: [UInt8], _ range: Range<Int>) throws(JuteError) -> String {
    let decoded: String? = bytes.withUnsafeBufferPointer { all in
      let slice = UnsafeBufferPointer(rebasing: all[range])
      var ascii = true
      for byte in slice where byte >= 0x80 {
        ascii = false
        break
      }
      if ascii { return String(decoding: slice, as: UTF8.self) }
      return String(validating: slice, as: UTF8.self)
    }
    guard let decoded else { throw .invalidUTF8 }
    return decoded
  }

  /// A jute `ustring` where null is read as empty.
  public mutating func readString() throws(JuteError) -> String {
    try readOptionalString() ?? ""
  }

  /// A vector count; -1 (null) reads as 0. Each element takes at least `minElementBytes`,
  /// so a count larger than the bytes left could hold is rejected before any allocation.
  public mutating func readCount(minElementBytes: Int) throws(JuteError) -> Int {
    guard let count = try readLength() else { return 0 }
    let needed = count.multipliedReportingOverflow(by: max(1, minElementBytes))
    if needed.overflow || needed.partialValue > remaining {
      throw .truncated(needed: needed.overflow ? Int.max : needed.partialValue, available: remaining)
    }
    return count
  }

  /// A jute `vector<ustring>`; null reads as empty.
  public mutating func readStrings() throws(JuteError) -> [String] {
    let count = try readCount(minElementBytes: 4)
    var result: [String] = []
    result.reserveCapacity(count)
    for _ in 0..<count { result.append(try readString()) }
    return result
  }

  /// A jute `vector<T>` of records, each at least `minElementBytes` long; null reads as empty.
  public mutating func readVector<T: JuteDecodable>(
    of type: T.Type, minElementBytes: Int
  ) throws(JuteError) -> [T] {
    let count = try readCount(minElementBytes: minElementBytes)
    var result: [T] = []
    result.reserveCapacity(count)
    for _ in 0..<count { result.append(try T(from: &self)) }
    return result
  }

  /// A record, fields in declaration order.
  public mutating func read<T: JuteDecodable>(_ type: T.Type = T.self) throws(JuteError) -> T {
    try T(from: &self)
  }

  /// The bytes not yet read, consumed.
  public mutating func readRest() -> [UInt8] {
    defer { offset = end }
    return Array(bytes[offset..<end])
  }

  /// Fails if anything is left: for records that must fill their frame exactly.
  public func expectEnd() throws(JuteError) {
    if offset != end { throw .trailingBytes(end - offset) }
  }
}
